package cas

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// stdEncodeIndex is what EncodeIndex must match.
func stdEncodeIndex(t testing.TB, idx ispec.Index) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(idx); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return buf.Bytes()
}

func richIndex(s string, n int64, data []byte) ispec.Index {
	d := ispec.Descriptor{
		MediaType:    ispec.MediaTypeImageManifest + s,
		Digest:       "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		Size:         n,
		URLs:         []string{s, "https://example.com/a?b=1&c=<2>"},
		Annotations:  map[string]string{ispec.AnnotationRefName: s, "b": "", s + "k": "v", "a&<>": s},
		Data:         data,
		Platform:     &ispec.Platform{Architecture: s, OS: "linux", OSVersion: s, OSFeatures: []string{s, "x"}, Variant: s},
		ArtifactType: s,
	}
	sub := d
	sub.Platform = nil
	return ispec.Index{
		Versioned:    specs.Versioned{SchemaVersion: int(n)},
		MediaType:    s,
		ArtifactType: s,
		Manifests:    []ispec.Descriptor{d, {MediaType: s, Digest: "sha256:x", Size: -n}, {}},
		Subject:      &sub,
		Annotations:  map[string]string{s: s, "z": "1", "": s},
	}
}

func TestEncodeIndexMatchesEncodingJSON(t *testing.T) {
	strs := []string{
		"", "plain", `quote " and \ backslash`, "<html> & friends", "\b\f\n\r\t\x00\x01\x1f\x7f",
		"caf\u00e9 \u2028 \u2029 \U0001F600", "bad \xff\xfe utf8 \xe2\x82", "tag:v1.0", "\u007f\u0080",
	}
	cases := []ispec.Index{
		{},
		{Manifests: []ispec.Descriptor{}},
		{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ispec.MediaTypeImageIndex, Manifests: []ispec.Descriptor{}},
		{Annotations: map[string]string{}, Manifests: []ispec.Descriptor{{URLs: []string{}, Annotations: map[string]string{}, Data: []byte{}, Platform: &ispec.Platform{OSFeatures: []string{}}}}},
	}
	for i, s := range strs {
		cases = append(cases, richIndex(s, int64(i)*1234567-5, []byte(s)))
	}
	for i, idx := range cases {
		want := stdEncodeIndex(t, idx)
		if got := EncodeIndex(idx); !bytes.Equal(got, want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func FuzzEncodeIndex(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":2,"manifests":[{"mediaType":"a","digest":"sha256:1","size":3,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}`), "s", int64(7), []byte("data"))
	f.Add([]byte(`{"manifests":null,"subject":{"platform":{"os":"<>"}}}`), "\xff\u2028", int64(-1), []byte{})
	f.Fuzz(func(t *testing.T, doc []byte, s string, n int64, data []byte) {
		var idx ispec.Index
		if json.Unmarshal(doc, &idx) == nil {
			if got, want := EncodeIndex(idx), stdEncodeIndex(t, idx); !bytes.Equal(got, want) {
				t.Fatalf("decoded %q:\n got %s\nwant %s", doc, got, want)
			}
		}
		idx = richIndex(s, n, data)
		if got, want := EncodeIndex(idx), stdEncodeIndex(t, idx); !bytes.Equal(got, want) {
			t.Fatalf("built from %q:\n got %s\nwant %s", s, got, want)
		}
	})
}

// TestEncodeIndexKnowsEveryField fails when image-spec grows a field that
// EncodeIndex and CloneIndex do not handle: update both, then the counts.
func TestEncodeIndexKnowsEveryField(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want int
	}{
		{ispec.Index{}, 6}, {ispec.Descriptor{}, 8}, {ispec.Platform{}, 5}, {specs.Versioned{}, 1},
	} {
		if got := reflect.TypeOf(tc.v).NumField(); got != tc.want {
			t.Errorf("%T has %d fields, EncodeIndex and CloneIndex know %d", tc.v, got, tc.want)
		}
	}
}

func TestCloneIndexSharesNothing(t *testing.T) {
	for _, idx := range []ispec.Index{{}, {Manifests: []ispec.Descriptor{}}, richIndex("x", 3, []byte("d")), richIndex("", 0, nil)} {
		c := CloneIndex(idx)
		if !reflect.DeepEqual(c, idx) {
			t.Fatalf("clone differs:\n%+v\n%+v", c, idx)
		}
		noSharing(t, reflect.ValueOf(c), reflect.ValueOf(idx), "index")
	}
}

// noSharing fails when a and b (deeply equal) share a map, a pointer or
// the backing array of a non-empty slice anywhere.
func noSharing(t *testing.T, a, b reflect.Value, path string) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: pointer shared", path)
		}
		noSharing(t, a.Elem(), b.Elem(), path+".*")
	case reflect.Map:
		if !a.IsNil() && a.Pointer() == b.Pointer() {
			t.Errorf("%s: map shared", path)
		}
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			t.Errorf("%s: slice shared", path)
		}
		for i := 0; i < a.Len(); i++ {
			noSharing(t, a.Index(i), b.Index(i), path+"[]")
		}
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			noSharing(t, a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
		}
	}
}
