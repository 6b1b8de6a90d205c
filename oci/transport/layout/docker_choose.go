package layout

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// chooseDockerImage picks the manifest.json entry a docker-archive name
// asks for, as skopeo does (by normalized RepoTag, by index, or the only
// one), and returns the descriptor of its manifest in the archive engine.
func chooseDockerImage(ctx context.Context, e casext.Engine, name transport.Name) (ispec.Descriptor, error) {
	entries, err := readDockerManifest(ctx, name.Path)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	ent, err := chooseEntry(entries, name)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	config, err := configDigest(ctx, name.Path, ent)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	return findImage(ctx, e, config)
}

// chooseEntry applies skopeo's rules for docker-archive:PATH[:NAME:TAG|:@N].
func chooseEntry(entries []dockerEntry, name transport.Name) (dockerEntry, error) {
	switch {
	case name.Ref != nil:
		want := name.Ref.String()
		for _, ent := range entries {
			for _, tag := range ent.RepoTags {
				if ref, ok := parseRepoTag(tag); ok && ref.String() == want {
					return ent, nil
				}
			}
		}
		return dockerEntry{}, localfs.WithKind(fmt.Errorf("tag %s not found in %s%s", want, name.Path, repoTagHint(entries)), transport.ErrNotFound)
	case name.Index >= 0:
		if name.Index >= len(entries) {
			return dockerEntry{}, localfs.WithKind(fmt.Errorf("invalid source index @%d: %s holds %d images", name.Index, name.Path, len(entries)), transport.ErrNotFound)
		}
		return entries[name.Index], nil
	case len(entries) == 0:
		return dockerEntry{}, localfs.WithKind(fmt.Errorf("%s holds no image", name.Path), transport.ErrNotFound)
	case len(entries) > 1:
		return dockerEntry{}, fmt.Errorf("%s holds %d images, choose one with %s:NAME:TAG or %s:@N (from 0)%s",
			name.Path, len(entries), name.Path, name.Path, repoTagHint(entries))
	}
	return entries[0], nil
}

// parseRepoTag normalizes a RepoTag as docker does; ok is false for one
// that has no tag or does not parse.
func parseRepoTag(s string) (transport.DockerReference, bool) {
	if i := strings.LastIndexByte(s, ':'); i < 0 || i < strings.LastIndexByte(s, '/') {
		return transport.DockerReference{}, false
	}
	ref, err := transport.ParseDockerReference(s)
	if err != nil || ref.Digest != "" {
		return transport.DockerReference{}, false
	}
	return ref, true
}

// repoTagHint lists the RepoTags of an archive for an error message.
func repoTagHint(entries []dockerEntry) string {
	var tags []string
	for _, ent := range entries {
		tags = append(tags, ent.RepoTags...)
	}
	if len(tags) == 0 {
		return " (no tags)"
	}
	return strings.Replace(tagHint(tags), "(tags:", "(RepoTags:", 1)
}

// errFound stops the walk of findImage.
var errFound = errors.New("found")

// findImage returns the descriptor of the image manifest, reachable from
// the archive's index, whose config is config.
func findImage(ctx context.Context, e casext.Engine, config digest.Digest) (ispec.Descriptor, error) {
	idx, err := e.GetIndex(ctx)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	var found ispec.Descriptor
	visit := func(ctx context.Context, p casext.DescriptorPath) error {
		d := p.Descriptor()
		if mediatype.IsIndex(d.MediaType) {
			return nil
		}
		if !mediatype.IsManifest(d.MediaType) {
			return casext.ErrSkipDescriptor
		}
		blob, err := e.FromDescriptor(ctx, d)
		if err != nil {
			return err
		}
		if m, ok := blob.Data.(*ispec.Manifest); ok && m.Config.Digest == config {
			found = ispec.Descriptor{MediaType: d.MediaType, Digest: d.Digest, Size: d.Size}
			return errFound
		}
		return casext.ErrSkipDescriptor
	}
	seen := map[digest.Digest]bool{}
	for _, d := range idx.Manifests {
		if seen[d.Digest] {
			continue
		}
		seen[d.Digest] = true
		if err := e.Walk(ctx, d, visit); errors.Is(err, errFound) {
			return found, nil
		} else if err != nil {
			return ispec.Descriptor{}, err
		}
	}
	return ispec.Descriptor{}, localfs.WithKind(fmt.Errorf("no image with config %s in the archive", config), transport.ErrNotFound)
}
