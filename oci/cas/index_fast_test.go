package cas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// indexSeeds are index documents of the usual shape and of the shapes the
// fast path must leave to encoding/json.
var indexSeeds = []string{
	`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`,
	`{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:0123","size":525,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}` + "\n",
	`{ "schemaVersion" : 2 , "manifests" : [ { "digest" : "sha256:ab" , "size" : 0 , "platform" : { "architecture" : "amd64" , "os" : "linux" , "os.features" : [ "a" , "b" ] , "variant" : "v8" , "os.version" : "1" } , "urls" : [ ] } ] , "annotations" : { } }`,
	`{"schemaVersion":2,"artifactType":"x","subject":{"digest":"sha256:1","size":-3,"artifactType":"y"},"manifests":[{"annotations":{"a":"1","a":"2"}}]}`,
	`{"schemaVersion":2,"manifests":[{"data":"aGk="}]}`,                // data: left to encoding/json
	`{"SchemaVersion":2,"Manifests":[]}`,                               // other case
	`{"schemaVersion":2,"manifests":[],"manifests":[{"size":1}]}`,      // duplicate key
	`{"schemaVersion":2,"manifests":[{"annotations":{"a":"\u00e9"}}]}`, // escape
	`{"schemaVersion":2,"manifests":[{"annotations":{"a":"é"}}]}`,      // non-ASCII
	`{"schemaVersion":2.0,"manifests":[]}`,
	`{"schemaVersion":02,"manifests":[]}`,
	`{"schemaVersion":2,"manifests":null}`,
	`{"schemaVersion":2,"manifests":[{"size":99999999999999999999}]}`,
	`{"schemaVersion":2,"manifests":[{"size":999999999999999999}]}`,
	`{"schemaVersion":2,"manifests":[]} x`,
	`{"schemaVersion":2,"manifests":[],}`,
	`{"schemaVersion":2,"unknown":{"x":[1,2]},"manifests":[]}`,
	`[]`, `{}`, ``, `{`, `{"manifests":[{"size":-0}]}`, `{"manifests":[{"size":-}]}`,
}

func FuzzDecodeIndexFast(f *testing.F) {
	for _, s := range indexSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodeIndexFast(data)
		if !ok {
			return
		}
		var std ispec.Index
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json says %v", data, err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("%q: fast path %#v, encoding/json %#v", data, fast, std)
		}
	})
}

// TestDecodeIndexFastPath checks which seeds take the fast path, so that
// the fuzz target above really compares the usual shape, and that
// DecodeIndex gives the same result either way.
func TestDecodeIndexFastPath(t *testing.T) {
	wantFast := map[int]bool{0: true, 1: true, 2: true, 3: true, 13: true, 18: true, 21: true}
	for i, s := range indexSeeds {
		_, ok := decodeIndexFast([]byte(s))
		if ok != wantFast[i] {
			t.Errorf("seed %d %q: fast path %v, want %v", i, s, ok, wantFast[i])
		}
		got, gotErr := DecodeIndex([]byte(s))
		var want ispec.Index
		wantErr := json.Unmarshal([]byte(s), &want)
		if wantErr == nil && want.SchemaVersion != 2 {
			wantErr = errors.New("unsupported schemaVersion")
		}
		if want.Manifests == nil {
			want.Manifests = []ispec.Descriptor{}
		}
		if (gotErr != nil) != (wantErr != nil) || gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("seed %d: DecodeIndex = %#v, %v; encoding/json %#v, %v", i, got, gotErr, want, wantErr)
		}
	}
	// The index lade and umoci write: Go's encoder, compact.
	idx := ispec.Index{Manifests: []ispec.Descriptor{}}
	idx.SchemaVersion = 2
	idx.MediaType = ispec.MediaTypeImageIndex
	for i := range 300 {
		d := ispec.Descriptor{MediaType: ispec.MediaTypeImageManifest, Digest: digest.FromString(fmt.Sprint(i)), Size: int64(i),
			Annotations: map[string]string{ispec.AnnotationRefName: fmt.Sprintf("v1.%d-rc", i)}}
		if i%3 == 0 {
			d.Platform = &ispec.Platform{Architecture: "arm64", OS: "linux", Variant: "v8"}
		}
		idx.Manifests = append(idx.Manifests, d)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(idx); err != nil {
		t.Fatal(err)
	}
	got, ok := decodeIndexFast(buf.Bytes())
	if !ok || !reflect.DeepEqual(got, idx) {
		t.Errorf("an index as lade writes it: fast path %v, equal %v", ok, reflect.DeepEqual(got, idx))
	}
}
