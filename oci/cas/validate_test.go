package cas

import (
	"errors"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
)

func TestValidateDigest(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		d  digest.Digest
		ok bool
	}{
		{digest.Digest("sha256:" + hex), true},
		{digest.Digest("sha256:" + strings.ToUpper(hex)), false},
		{digest.Digest("sha512:" + hex), false},
		{digest.Digest("sha256:" + hex[:63]), false},
		{digest.Digest("sha256:../" + hex[3:]), false},
		{"", false},
	} {
		err := ValidateDigest(tc.d)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateDigest(%q) = %v", tc.d, err)
		}
	}
}

func TestDecodeIndex(t *testing.T) {
	idx, err := DecodeIndex([]byte(`{"schemaVersion":2}`))
	if err != nil || idx.Manifests == nil || len(idx.Manifests) != 0 {
		t.Fatalf("empty index: %+v, %v", idx, err)
	}
	for _, bad := range [][]byte{[]byte(`{`), []byte(`[]`), make([]byte, MaxIndexSize+1)} {
		_, err := DecodeIndex(bad)
		if !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), "index.json: ") {
			t.Errorf("DecodeIndex(%.10q...) = %v", bad, err)
		}
	}
	for doc, want := range map[string]string{
		`{"schemaVersion":1,"manifests":[]}`: "index.json: invalid: unsupported schemaVersion 1 (want 2)",
		`{"schemaVersion":3,"manifests":[]}`: "index.json: invalid: unsupported schemaVersion 3 (want 2)",
		`{"manifests":[]}`:                   "index.json: invalid: unsupported schemaVersion 0 (want 2)",
	} {
		if _, err := DecodeIndex([]byte(doc)); !errors.Is(err, ErrInvalid) || err.Error() != want {
			t.Errorf("DecodeIndex(%s) = %v, want %q", doc, err, want)
		}
	}
}
