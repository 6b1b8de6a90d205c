package layout

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
)

// ArchiveTags returns the RepoTags of every image in the docker-archive
// named by name (its path; a NAME:TAG or @N part is ignored), in
// manifest.json order and as stored ("busybox:latest" as docker save
// writes it, "docker.io/library/busybox:latest" as skopeo does), which is
// what skopeo list-tags prints. A RepoTag that does not parse as NAME:TAG
// is left out, as by skopeo. Only manifest.json is read (a size-capped,
// sequential scan of the tar headers): listing tags costs the same for any
// size of image.
func ArchiveTags(ctx context.Context, name transport.Name) ([]string, error) {
	if name.Transport != transport.DockerArchive {
		return nil, fmt.Errorf("list tags of %s: %w", name, transport.ErrUnsupported)
	}
	entries, err := readDockerManifest(ctx, name.Path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = localfs.WithKind(err, transport.ErrNotFound)
		}
		return nil, fmt.Errorf("list tags of %s: %w", name, err)
	}
	tags := []string{}
	for _, ent := range entries {
		for _, tag := range ent.RepoTags {
			if _, ok := parseRepoTag(tag); ok {
				tags = append(tags, tag)
			}
		}
	}
	return tags, nil
}
