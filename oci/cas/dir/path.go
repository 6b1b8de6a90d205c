package dir

import (
	"fmt"
	"path/filepath"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// Names inside a layout.
const (
	layoutFile    = "oci-layout"
	indexFile     = "index.json"
	blobsDir      = "blobs"
	tempPrefix    = ".lade-tmp-"
	layoutVersion = "1.0.0"
)

// validateDigest accepts only "sha256:" followed by 64 lowercase hex digits.
// It inspects the string alone and never touches the filesystem.
func validateDigest(d digest.Digest) error {
	s := string(d)
	prefix := string(cas.BlobAlgorithm) + ":"
	if len(s) != len(prefix)+64 || s[:len(prefix)] != prefix {
		return fmt.Errorf("digest %q: %w: not a sha256 digest", s, cas.ErrInvalid)
	}
	for _, c := range s[len(prefix):] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("digest %q: %w: not lowercase hex", s, cas.ErrInvalid)
		}
	}
	return nil
}

// blobDir is the directory holding every blob of the layout at root.
func blobDir(root string) string {
	return filepath.Join(root, blobsDir, string(cas.BlobAlgorithm))
}

// blobPath is the one place a digest becomes a path. It validates d first,
// so a hostile digest can never name a file outside blobs/sha256.
func blobPath(root string, d digest.Digest) (string, error) {
	if err := validateDigest(d); err != nil {
		return "", err
	}
	return filepath.Join(blobDir(root), d.Encoded()), nil
}
