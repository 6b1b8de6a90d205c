package registry

import (
	"context"
	"fmt"

	"github.com/opencontainers/go-digest"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/lade-oci/lade/oci/transport"
)

// Tags returns every tag of repository ref (its Tag and Digest are
// ignored), following the registry's Link pagination up to a bounded
// number of pages and bytes: skopeo list-tags.
func Tags(ctx context.Context, ref transport.DockerReference, opts transport.Options) ([]string, error) {
	ref.Tag, ref.Digest = "", ""
	repo, err := openRepository(ctx, ref, opts)
	if err != nil {
		return nil, fmt.Errorf("list tags of %s: %w", ref.Name(), err)
	}
	return listTags(ctx, repo)
}

// Delete deletes the manifest name points at, as skopeo delete does: a
// tag is first resolved to its manifest's digest (a GET checked like a
// copy's), then DELETE /v2/REPO/manifests/DIGEST removes the manifest and
// every tag pointing at it. It returns the deleted digest. A missing tag
// or manifest matches transport.ErrNotFound; a registry that does not
// allow deletes answers 405, reported as its error.
func Delete(ctx context.Context, name transport.Name, opts transport.Options) (digest.Digest, error) {
	if name.Transport != transport.Docker || name.Ref == nil {
		return "", fmt.Errorf("delete %s: %w: only docker:// images can be deleted", name, transport.ErrUnsupported)
	}
	repo, err := openRepository(ctx, *name.Ref, opts)
	if err != nil {
		return "", fmt.Errorf("delete %s: %w", name.Ref, err)
	}
	top, err := fetchTop(ctx, repo)
	if err != nil {
		return "", fmt.Errorf("delete %s: %w", name.Ref, err)
	}
	dctx, note := withNotFoundNote(ctx)
	if err := repo.remote.Manifests().Delete(dctx, top.desc); err != nil {
		return "", fmt.Errorf("delete %s: %w", name.Ref, notFound(err, note, errcode.ErrorCodeManifestUnknown))
	}
	return top.desc.Digest, nil
}
