package mutate

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestShapes(t *testing.T) {
	shapes := []struct {
		name string
		s    *shape
		typ  reflect.Type
	}{
		{"platform", platformShape(), reflect.TypeFor[ispec.Platform]()},
		{"descriptor", descriptorShape(), reflect.TypeFor[ispec.Descriptor]()},
		{"manifest", manifestShape(), reflect.TypeFor[ispec.Manifest]()},
		{"index", indexShape(), reflect.TypeFor[ispec.Index]()},
		{"image", imageShape(), reflect.TypeFor[ispec.Image]()},
		{"image config", imageConfigShape(), reflect.TypeFor[ispec.ImageConfig]()},
		{"rootfs", rootFSShape(), reflect.TypeFor[ispec.RootFS]()},
		{"history", historyShape(), reflect.TypeFor[ispec.History]()},
	}
	for _, tc := range shapes {
		t.Run(tc.name, func(t *testing.T) {
			// Every key the struct encodes is known, and nothing else.
			raw, err := json.Marshal(reflect.New(tc.typ).Elem().Interface())
			if err != nil {
				t.Fatal(err)
			}
			var encoded map[string]json.RawMessage
			if err := json.Unmarshal(raw, &encoded); err != nil {
				t.Fatal(err)
			}
			for k := range encoded {
				if !tc.s.known[foldKey(k)] {
					t.Errorf("encoded key %q is not known", k)
				}
			}
			if len(tc.s.known) != len(jsonNames(tc.typ)) {
				t.Errorf("%d known keys for %d fields", len(tc.s.known), len(jsonNames(tc.typ)))
			}
			for name := range tc.s.objects {
				if !tc.s.known[foldKey(name)] {
					t.Errorf("object rule %q is not a field", name)
				}
			}
			for name := range tc.s.arrays {
				if !tc.s.known[foldKey(name)] {
					t.Errorf("array rule %q is not a field", name)
				}
			}
		})
	}
	// The platform fields of an image config are flattened into it.
	for _, k := range []string{"architecture", "os", "os.version", "os.features", "variant", "rootfs", "history"} {
		if !imageShape().known[foldKey(k)] {
			t.Errorf("image shape does not know %q", k)
		}
	}
}

func TestFoldKeyMatchesEqualFold(t *testing.T) {
	pairs := []struct{ a, b string }{
		{"Env", "env"}, {"Env", "ENV"}, {"diff_ids", "DIFF_IDS"}, {"Kelvin", "\u212aelvin"},
		{"s", "\u017f"}, {"Env", "Emv"}, {"os.version", "OS.Version"}, {"a", "ab"}, {"\xff", "\xfe"},
	}
	for _, p := range pairs {
		t.Run(p.a+"/"+p.b, func(t *testing.T) {
			if got, want := foldKey(p.a) == foldKey(p.b), strings.EqualFold(p.a, p.b); got != want {
				t.Errorf("foldKey equal = %v, EqualFold = %v", got, want)
			}
		})
	}
}

func TestMergeUnknown(t *testing.T) {
	const (
		dA = "sha256:aaaa"
		dB = "sha256:bbbb"
		dC = "sha256:cccc"
	)
	tests := []struct {
		name       string
		s          *shape
		prev, next string
		want       string // "" means next unchanged
	}{
		{"no unknown keys", imageShape(),
			`{"author":"a","config":{"Env":["A=1"]},"rootfs":{"type":"layers","diff_ids":[]}}`,
			`{"author":"b","config":{},"rootfs":{"type":"layers","diff_ids":[]}}`, ""},
		{"top-level unknown keys follow the struct keys, sorted", imageShape(),
			`{"zz":1,"author":"a","aa":{"b":[1]}}`,
			`{"author":"b","rootfs":{"type":"layers","diff_ids":[]}}`,
			`{"author":"b","rootfs":{"type":"layers","diff_ids":[]},"aa":{"b":[1]},"zz":1}`},
		{"into an empty object", imageShape(), `{"x":1}`, `{}`, `{"x":1}`},
		{"cleared known key stays cleared", imageShape(),
			`{"config":{"Env":["A=1"],"Healthcheck":{"Test":["CMD","true"]},"Shell":["/bin/sh","-c"]}}`,
			`{"config":{}}`,
			`{"config":{"Healthcheck":{"Test":["CMD","true"]},"Shell":["/bin/sh","-c"]}}`},
		{"known key in another case is known", imageShape(),
			`{"config":{"env":["A=1"],"ARGSESCAPED":true},"Author":"x","CREATED":"2020-01-01T00:00:00Z"}`,
			`{"config":{}}`, ""},
		{"removed label stays removed", imageShape(),
			`{"config":{"Labels":{"a":"1","b":"2"},"ExposedPorts":{"80/tcp":{"x":1}}}}`,
			`{"config":{"Labels":{"a":"1"},"ExposedPorts":{"80/tcp":{}}}}`, ""},
		{"new value wins", imageShape(), `{"x":1,"Y":2}`, `{"x":2,"y":3}`, ""},
		{"duplicate original key: last wins", imageShape(), `{"x":1,"x":2}`, `{}`, `{"x":2}`},
		{"original counterpart in another case", imageShape(),
			`{"Config":{"Healthcheck":1}}`, `{"config":{}}`, `{"config":{"Healthcheck":1}}`},
		{"values kept verbatim and compacted", imageShape(),
			`{"n": 1.000000000000000000001, "big":123456789012345678901234567890, "o": { "a" : [ 1 , "<&>" ] }}`,
			`{}`,
			`{"big":123456789012345678901234567890,"n":1.000000000000000000001,"o":{"a":[1,"<&>"]}}`},
		{"object that is no longer an object", imageShape(),
			`{"config":{"Healthcheck":1}}`, `{"config":null}`, ""},
		{"original that is not an object", imageShape(), `[1]`, `{"author":"a"}`, ""},
		{"original that is not JSON", imageShape(), `{"x":`, `{"author":"a"}`, ""},
		{"empty original", imageShape(), ``, `{"author":"a"}`, ""},
		{"rootfs", imageShape(),
			`{"rootfs":{"type":"layers","diff_ids":["sha256:aa"],"x":"r"}}`,
			`{"rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]}}`,
			`{"rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"],"x":"r"}}`},
		{"history grew by appending", imageShape(),
			`{"history":[{"created_by":"a","x":1},{"created_by":"b","empty_layer":false,"y":2}]}`,
			`{"history":[{"created_by":"a"},{"created_by":"b"},{"created_by":"c"}]}`,
			`{"history":[{"created_by":"a","x":1},{"created_by":"b","y":2},{"created_by":"c"}]}`},
		{"history replaced", imageShape(),
			`{"history":[{"created_by":"a","x":1}]}`,
			`{"history":[{"created_by":"c"}]}`, ""},
		{"history entry edited", imageShape(),
			`{"history":[{"created_by":"a","x":1},{"created_by":"b"}]}`,
			`{"history":[{"created_by":"a","comment":"new"},{"created_by":"b"},{"created_by":"c"}]}`, ""},
		{"history shrank", imageShape(),
			`{"history":[{"created_by":"a","x":1},{"created_by":"b"}]}`,
			`{"history":[{"created_by":"a"}]}`, ""},
		{"layers by digest and occurrence", manifestShape(),
			`{"layers":[{"digest":"` + dA + `","x":1},{"digest":"` + dB + `","y":2},{"digest":"` + dA + `","z":3}]}`,
			`{"layers":[{"digest":"` + dB + `"},{"digest":"` + dA + `"},{"digest":"` + dC + `"},{"digest":"` + dA + `"}]}`,
			`{"layers":[{"digest":"` + dB + `","y":2},{"digest":"` + dA + `","x":1},{"digest":"` + dC + `"},{"digest":"` + dA + `","z":3}]}`},
		{"removed layer annotation stays removed", manifestShape(),
			`{"layers":[{"digest":"` + dA + `","annotations":{"a":"1"}}]}`,
			`{"layers":[{"digest":"` + dA + `"}]}`, ""},
		{"config descriptor and platform", manifestShape(),
			`{"x-m":true,"config":{"digest":"` + dA + `","x":1,"data":"e30=","platform":{"os":"linux","features":["sse4"]}}}`,
			`{"config":{"digest":"` + dB + `","platform":{"os":"linux"}}}`,
			`{"config":{"digest":"` + dB + `","platform":{"os":"linux","features":["sse4"]},"x":1},"x-m":true}`},
		{"removed subject stays removed", manifestShape(),
			`{"subject":{"digest":"` + dA + `","x":1}}`, `{}`, ""},
		{"index entries by position", indexShape(),
			`{"manifests":[{"digest":"` + dA + `","x":1},{"digest":"` + dB + `","y":2}],"z":3}`,
			`{"manifests":[{"digest":"` + dC + `"},{"digest":"` + dB + `"}]}`,
			`{"manifests":[{"digest":"` + dC + `","x":1},{"digest":"` + dB + `","y":2}],"z":3}`},
		{"index entries of another length", indexShape(),
			`{"manifests":[{"digest":"` + dA + `","x":1}]}`,
			`{"manifests":[{"digest":"` + dA + `"},{"digest":"` + dB + `"}]}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mergeUnknown([]byte(tc.prev), []byte(tc.next), tc.s)
			if err != nil {
				t.Fatalf("mergeUnknown: %v", err)
			}
			want := tc.want
			if want == "" {
				want = tc.next
			}
			if string(got) != want {
				t.Errorf("merged\n got %s\nwant %s", got, want)
			}
			if !json.Valid(got) {
				t.Errorf("invalid JSON: %s", got)
			}
		})
	}
}

func TestMergeUnknownRefusesInvalidNext(t *testing.T) {
	for _, next := range []string{``, `{`, `{"a":1}x`, `nul`} {
		t.Run(next, func(t *testing.T) {
			got, err := mergeUnknown([]byte(`{"x":1}`), []byte(next), imageShape())
			if !errors.Is(err, errInvalidJSON) || got != nil {
				t.Errorf("mergeUnknown = %q, %v; want %v", got, err, errInvalidJSON)
			}
		})
	}
}

// TestMergeUnknownKeepsPlainEncoding checks that a document without unknown
// keys comes out as the plain struct encoding, byte for byte.
func TestMergeUnknownKeepsPlainEncoding(t *testing.T) {
	img := ispec.Image{
		Created:  timePtr(fixedTime),
		Author:   "<a&b>",
		Platform: ispec.Platform{OS: "linux", Architecture: "amd64"},
		Config:   ispec.ImageConfig{Env: []string{"A=1"}, Labels: map[string]string{"z": "1", "a": "2"}},
		RootFS:   ispec.RootFS{Type: "layers", DiffIDs: []digestT{digestOf([]byte("x"))}},
		History:  []ispec.History{{CreatedBy: "a"}},
	}
	next, err := json.Marshal(img)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mergeUnknown(next, next, imageShape())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, next) {
		t.Errorf("merged %s, want %s", got, next)
	}
}
