package mutate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// FuzzMergeUnknown checks mergeUnknown on arbitrary document pairs: it
// never panics, refuses an invalid new document, and otherwise returns
// valid JSON that keeps every key and value of the new document, adds
// top-level keys only from the original, and is stable under a second
// merge.
func FuzzMergeUnknown(f *testing.F) {
	seeds := []struct {
		prev, next string
		which      uint8
	}{
		{`{"x":1,"config":{"Healthcheck":{"Test":["CMD"]},"Env":["A=1"]},"history":[{"created_by":"a","y":2}]}`,
			`{"config":{},"history":[{"created_by":"a"},{"created_by":"b"}]}`, 0},
		{`{"layers":[{"digest":"sha256:a","x":1},{"digest":"sha256:a","y":2}],"config":{"digest":"d","platform":{"os":"l","f":1}}}`,
			`{"layers":[{"digest":"sha256:a"},{"digest":"sha256:b"},{"digest":"sha256:a"}],"config":{"digest":"e","platform":{}}}`, 1},
		{`{"manifests":[{"digest":"a","x":1},{"y":2}],"z":{"q":[1,2]},"subject":{"k":1}}`,
			`{"manifests":[{"digest":"b"},{"digest":"c"}],"subject":{"digest":"s"}}`, 2},
		{`{"X":1,"x":2,"Env":3}`, `{"x":0}`, 0},
		{`{"config":{"env":[1]},"CONFIG":{"Shell":1}}`, `{"config":{}}`, 0},
		{`[1,2]`, `{}`, 0},
		{`{}`, `[{"a":1}]`, 1},
		{`{"a":1}`, `{"a":`, 2},
		{`{"history":[{"created":"bad","x":1}]}`, `{"history":[{"created":"bad"}]}`, 0},
	}
	for _, s := range seeds {
		f.Add(s.prev, s.next, s.which)
	}
	shapes := []*shape{imageShape(), manifestShape(), indexShape(), descriptorShape()}
	f.Fuzz(func(t *testing.T, prev, next string, which uint8) {
		s := shapes[int(which)%len(shapes)]
		out, err := mergeUnknown([]byte(prev), []byte(next), s)
		if !json.Valid([]byte(next)) {
			if !errors.Is(err, errInvalidJSON) {
				t.Fatalf("invalid next %q: err = %v", next, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("mergeUnknown: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("invalid output %q", out)
		}
		var nv, ov any
		if err := decodeNumbers([]byte(next), &nv); err != nil {
			t.Fatal(err)
		}
		if err := decodeNumbers(out, &ov); err != nil {
			t.Fatal(err)
		}
		if path, ok := keeps(ov, nv, "$"); !ok {
			t.Fatalf("output %s does not keep %s of %s", out, path, next)
		}
		// Top-level keys come from next or from prev.
		if om, ok := ov.(map[string]any); ok {
			var pm map[string]any
			_ = json.Unmarshal([]byte(prev), &pm)
			nm, _ := nv.(map[string]any)
			for k := range om {
				_, inNext := nm[k]
				_, inPrev := pm[k]
				if !inNext && !inPrev {
					t.Fatalf("output key %q is in neither document: %s", k, out)
				}
			}
		}
		// Merging again restores nothing more.
		if err := sameDecoding(next, out, int(which)%len(shapes)); err != nil {
			t.Fatalf("restored keys change the decoded document: %v\nnext %s\nout  %s", err, next, out)
		}
		again, err := mergeUnknown([]byte(prev), out, s)
		if err != nil {
			t.Fatalf("second merge: %v", err)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("second merge changed the output:\n%s\n%s", out, again)
		}
	})
}

// decodeNumbers is json.Unmarshal keeping numbers as json.Number, so that
// values beyond float64 (1E700) compare as written.
func decodeNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// keeps reports whether got holds every key and value of want: objects may
// have more keys, arrays have the same length, everything else is equal. It
// returns the first path that differs.
func keeps(got, want any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return path + "." + k, false
			}
			if p, ok := keeps(gv, wv, path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path, false
		}
		for i := range w {
			if p, ok := keeps(g[i], w[i], path+"[]"); !ok {
				return p, false
			}
		}
		return "", true
	default:
		if !reflect.DeepEqual(got, want) {
			return path, false
		}
		return "", true
	}
}

// sameDecoding checks that out (next with restored keys) decodes into the
// Go struct of shape number which (imageShape(), manifestShape(), indexShape(),
// descriptorShape()) exactly as next does: restored keys must be invisible to
// encoding/json, or they would override the edit on the next read.
func sameDecoding(next string, out []byte, which int) error {
	news := []func() any{
		func() any { return new(ispec.Image) }, func() any { return new(ispec.Manifest) },
		func() any { return new(ispec.Index) }, func() any { return new(ispec.Descriptor) },
	}
	a, b := news[which](), news[which]()
	if err := json.Unmarshal([]byte(next), a); err != nil {
		return nil // next is not a document of this type: nothing to compare
	}
	if err := json.Unmarshal(out, b); err != nil {
		return fmt.Errorf("decode output: %w", err)
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Errorf("decoded %+v, want %+v", b, a)
	}
	return nil
}
