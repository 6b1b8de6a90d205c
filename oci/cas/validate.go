package cas

import (
	"encoding/json"
	"fmt"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// MaxIndexSize caps how much of index.json any backend reads or writes.
const MaxIndexSize = 64 << 20

// ValidateDigest accepts only "sha256:" followed by 64 lowercase hex
// digits (ErrInvalid otherwise). It inspects the string alone, so a
// backend may turn a valid digest into a path.
func ValidateDigest(d digest.Digest) error {
	s := string(d)
	prefix := string(BlobAlgorithm) + ":"
	if len(s) != len(prefix)+64 || s[:len(prefix)] != prefix {
		return fmt.Errorf("digest %q: %w: not a sha256 digest", s, ErrInvalid)
	}
	for _, c := range s[len(prefix):] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("digest %q: %w: not lowercase hex", s, ErrInvalid)
		}
	}
	return nil
}

// DecodeIndex parses the index.json document data (at most MaxIndexSize
// bytes); its Manifests is never nil. Errors match ErrInvalid and read
// "index.json: invalid JSON: CAUSE", "index.json: ... larger than" or
// "index.json: unsupported schemaVersion N (want 2)".
func DecodeIndex(data []byte) (ispec.Index, error) {
	if len(data) > MaxIndexSize {
		return ispec.Index{}, fmt.Errorf("%s: %w: larger than %d bytes", ispec.ImageIndexFile, ErrInvalid, MaxIndexSize)
	}
	idx, ok := decodeIndexFast(data)
	if !ok {
		idx = ispec.Index{}
		if err := json.Unmarshal(data, &idx); err != nil {
			return ispec.Index{}, &invalidJSONError{file: ispec.ImageIndexFile, err: err}
		}
	}
	if idx.SchemaVersion != 2 {
		return ispec.Index{}, fmt.Errorf("%s: %w: unsupported schemaVersion %d (want 2)", ispec.ImageIndexFile, ErrInvalid, idx.SchemaVersion)
	}
	if idx.Manifests == nil {
		idx.Manifests = []ispec.Descriptor{}
	}
	return idx, nil
}

// invalidJSONError is "FILE: invalid JSON: CAUSE", matching ErrInvalid and
// the cause.
type invalidJSONError struct {
	file string
	err  error
}

func (e *invalidJSONError) Error() string { return e.file + ": invalid JSON: " + e.err.Error() }

func (e *invalidJSONError) Unwrap() []error { return []error{ErrInvalid, e.err} }
