package mutate

import (
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
)

// TestMergeUnknownEdgeCases pins merges of hostile originals: escaped and
// case-folded spellings of known keys are known (encoding/json decodes them
// into the field, so restoring them would override the edit on the next
// read), spellings encoding/json does not fold are unknown and kept,
// unknown values nested almost as deep as encoding/json allows are kept
// verbatim, and a layer whose digest is not a string pairs with nothing.
// Every output decodes exactly as the new document does.
func TestMergeUnknownEdgeCases(t *testing.T) {
	dA := digest.FromString("a").String()
	deep := strings.Repeat(`{"a":`, 9990) + "1" + strings.Repeat("}", 9990)
	tests := []struct {
		name       string
		which      int // index into imageShape(), manifestShape(), indexShape(), descriptorShape()
		prev, next string
		want       string // "" means next unchanged
	}{
		{"escaped known key", 0, `{"\u0041uthor":"old","x":1}`, `{"author":"new"}`, `{"author":"new","x":1}`},
		{"upper-case known key", 0, `{"AUTHOR":"old","CONFIG":{"USER":"0","Shell":["sh"]}}`, `{"author":"new","config":{"User":"1"}}`,
			`{"author":"new","config":{"User":"1","Shell":["sh"]}}`},
		{"long s folds to s, Kelvin sign to k", 3, `{"\u017fize":5,"\u212aeep":1}`, `{"size":6}`, "{\"size\":6,\"\u212aeep\":1}"},
		{"dotted capital I does not fold", 0, `{"config":{"Work\u0130ngDir":"/x"}}`, `{"config":{"WorkingDir":"/y"}}`,
			"{\"config\":{\"WorkingDir\":\"/y\",\"Work\u0130ngDir\":\"/x\"}}"},
		{"duplicate unknown and known keys", 0, `{"x":1,"author":"a","x":2,"Author":"b"}`, `{"author":"c"}`, `{"author":"c","x":2}`},
		{"deeply nested unknown value", 0, `{"deep":` + deep + `}`, `{"author":"a"}`, `{"author":"a","deep":` + deep + `}`},
		{"layer digest not a string", 1, `{"layers":[{"digest":5,"x":1}]}`, `{"layers":[{"digest":"` + dA + `"}]}`, ""},
	}
	shapes := []*shape{imageShape(), manifestShape(), indexShape(), descriptorShape()}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mergeUnknown([]byte(tc.prev), []byte(tc.next), shapes[tc.which])
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == "" {
				want = tc.next
			}
			if string(got) != want {
				t.Errorf("merged\n got %.200s\nwant %.200s", got, want)
			}
			if err := sameDecoding(tc.next, got, tc.which); err != nil {
				t.Error(err)
			}
		})
	}
}
