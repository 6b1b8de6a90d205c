package dir

import (
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

// blobDir is the directory holding every blob of the layout at root.
func blobDir(root string) string {
	return filepath.Join(root, blobsDir, string(cas.BlobAlgorithm))
}

// blobPath is the one place a digest becomes a path. It validates d first,
// so a hostile digest can never name a file outside blobs/sha256.
func blobPath(root string, d digest.Digest) (string, error) {
	if err := cas.ValidateDigest(d); err != nil {
		return "", err
	}
	return filepath.Join(blobDir(root), d.Encoded()), nil
}
