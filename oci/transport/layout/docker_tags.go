package layout

import (
	"context"
	"fmt"

	"github.com/lade-oci/lade/oci/cas/archive"
	"github.com/lade-oci/lade/oci/transport"
)

// ArchiveTags returns the RepoTags of every image in the docker-archive
// named by name (its path; a NAME:TAG or @N part is ignored), in
// manifest.json order, normalized as skopeo list-tags prints them
// ("busybox:latest" is "docker.io/library/busybox:latest"). A RepoTag that
// does not parse as NAME:TAG is left out, as by skopeo.
func ArchiveTags(ctx context.Context, name transport.Name) ([]string, error) {
	if name.Transport != transport.DockerArchive {
		return nil, fmt.Errorf("list tags of %s: %w", name, transport.ErrUnsupported)
	}
	// Opening the archive checks it (member names, truncation) before
	// manifest.json is read.
	engine, err := archive.Open(ctx, name.Path)
	if err != nil {
		return nil, openErr(name, err)
	}
	defer engine.Close()
	entries, err := readDockerManifest(ctx, name.Path)
	if err != nil {
		return nil, fmt.Errorf("list tags of %s: %w", name, err)
	}
	tags := []string{}
	for _, ent := range entries {
		for _, tag := range ent.RepoTags {
			if ref, ok := parseRepoTag(tag); ok {
				tags = append(tags, ref.String())
			}
		}
	}
	return tags, nil
}
