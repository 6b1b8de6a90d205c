package layout

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"sync"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// dockerManifestFile is the image list of a docker-archive.
const dockerManifestFile = "manifest.json"

// Caps on what is read from an archive to choose an image.
const (
	maxDockerManifestSize = cas.MaxIndexSize
	maxConfigSize         = 32 << 20
)

// dockerEntry is one image of manifest.json.
type dockerEntry struct {
	Config   string   `json:"Config"`
	RepoTags []string `json:"RepoTags"`
	Layers   []string `json:"Layers"`
}

// hexNamed matches the config member names Docker and skopeo write:
// "<hex>.json" (legacy) and "blobs/sha256/<hex>" (Docker 25 and later).
var hexNamed = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:([0-9a-f]{64})\.json|blobs/sha256/([0-9a-f]{64}))$`)
})

// memberName is a tar member name as the archive backend matches it.
func memberName(name string) string {
	return path.Clean(name)
}

// readDockerManifest reads manifest.json from the tar at archivePath,
// seeking past every other member. The archive backend has already checked
// the archive (one manifest.json at most, sane names).
func readDockerManifest(ctx context.Context, archivePath string) ([]dockerEntry, error) {
	data, err := readMember(ctx, archivePath, dockerManifestFile, maxDockerManifestSize)
	if err != nil {
		return nil, err
	}
	var entries []dockerEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("%s: invalid JSON: %w", dockerManifestFile, err)
	}
	return entries, nil
}

// configDigest returns the digest of entry's config: from its name when
// the name is digest-derived (the archive backend checks that the content
// matches such a name), else by hashing the member.
func configDigest(ctx context.Context, archivePath string, ent dockerEntry) (digest.Digest, error) {
	name := memberName(ent.Config)
	if m := hexNamed().FindStringSubmatch(name); m != nil {
		return digest.NewDigestFromEncoded(digest.SHA256, m[1]+m[2]), nil
	}
	data, err := readMember(ctx, archivePath, name, maxConfigSize)
	if err != nil {
		return "", err
	}
	return digest.NewDigestFromEncoded(digest.SHA256, fmt.Sprintf("%x", sha256.Sum256(data))), nil
}

// readMember returns the content of the regular member name (at most
// limit bytes) of the tar at archivePath.
func readMember(ctx context.Context, archivePath, name string, limit int64) ([]byte, error) {
	f, err := os.Open(archivePath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s has no member %s", cas.ErrNotExist, archivePath, name)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", archivePath, err)
		}
		if memberName(hdr.Name) != name {
			continue
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("%w: member %s of %s is not a regular file", cas.ErrInvalid, name, archivePath)
		}
		if hdr.Size > limit {
			return nil, fmt.Errorf("%w: member %s of %s is over the limit of %d bytes", cas.ErrInvalid, name, archivePath, limit)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", archivePath, err)
		}
		return data, nil
	}
}
