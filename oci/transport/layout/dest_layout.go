package layout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// layoutDest writes into an OCI image layout directory (oci:).
type layoutDest struct {
	name    transport.Name
	engine  casext.Engine
	created createdLayout
	// compression is what the destination asks for its layers.
	compression transport.LayerCompression

	mu        sync.Mutex
	committed bool
}

func (d *layoutDest) Name() transport.Name                         { return d.name }
func (d *layoutDest) ManifestTypes() []string                      { return ociTypes }
func (d *layoutDest) LayerCompression() transport.LayerCompression { return d.compression }

// ociTypes are the manifest types the oci: and oci-archive: destinations
// store: OCI first, so that a Docker image is converted as skopeo converts
// it, and Docker's too, which a copy that may not change the image's digest
// (--preserve-digests) stores as they are, as skopeo does.
var ociTypes = []string{mediatype.Manifest, mediatype.Index, mediatype.DockerManifest, mediatype.DockerManifestList}

// layerCompression is what an OCI layout destination asks for its layers:
// gzip for uncompressed ones, unless opts says to keep them.
func layerCompression(opts transport.Options) transport.LayerCompression {
	if opts.AcceptUncompressedLayers {
		return transport.PreserveCompression
	}
	return transport.Compress
}

// Has reports whether the layout has desc's blob with desc's size.
func (d *layoutDest) Has(ctx context.Context, desc ispec.Descriptor) (bool, error) {
	if desc.Digest.Validate() != nil || desc.Digest.Algorithm() != cas.BlobAlgorithm {
		return false, nil
	}
	size, err := d.engine.StatBlob(ctx, desc.Digest)
	if errors.Is(err, cas.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check blob %s in %s: %w", desc.Digest, d.name, err)
	}
	return size == desc.Size, nil
}

// PutBlob stores r's content, verified against desc while the dir backend
// writes it (a mismatch fails the write, so no blob is stored).
func (d *layoutDest) PutBlob(ctx context.Context, desc ispec.Descriptor, r io.Reader) error {
	if err := checkBlobDigest(desc); err != nil {
		return fmt.Errorf("store blob in %s: %w", d.name, err)
	}
	if ok, err := d.Has(ctx, desc); err != nil || ok {
		return err
	}
	if vp, ok := d.engine.Engine.(cas.VerifyingPutter); ok {
		// One pass hashes the content to check it and to store it.
		if err := vp.PutBlobVerified(ctx, desc.Digest, desc.Size, r); err != nil {
			return fmt.Errorf("store blob %s in %s: %w", desc.Digest, d.name, err)
		}
		return nil
	}
	vr := hardening.NewVerifiedReader(io.NopCloser(r), desc.Digest, desc.Size)
	got, size, err := d.engine.PutBlob(ctx, vr)
	if err != nil {
		return fmt.Errorf("store blob %s in %s: %w", desc.Digest, d.name, err)
	}
	if got != desc.Digest || size != desc.Size {
		// The verifying reader makes this unreachable; never trust it blindly.
		return fmt.Errorf("store blob %s in %s: stored %s (%d bytes): %w", desc.Digest, d.name, got, size, cas.ErrDigestMismatch)
	}
	return nil
}

// PutManifest stores a manifest (or index) blob.
func (d *layoutDest) PutManifest(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := checkRaw(desc, raw); err != nil {
		return fmt.Errorf("store manifest in %s: %w", d.name, err)
	}
	return d.PutBlob(ctx, desc, bytes.NewReader(raw))
}

// Commit stores the top manifest and points the name at it: the tag (its
// previous entries removed) under index.json's lock, or an untagged entry
// that replaces an untagged entry of the same digest.
func (d *layoutDest) Commit(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := d.PutManifest(ctx, desc, raw); err != nil {
		return err
	}
	entry := ispec.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}
	var err error
	if d.name.Tag != "" {
		err = d.engine.UpdateReference(ctx, d.name.Tag, entry)
	} else {
		err = d.engine.UpdateIndex(ctx, func(idx *ispec.Index) error {
			addUntagged(idx, entry)
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("commit %s: %w", d.name, err)
	}
	d.mu.Lock()
	d.committed = true
	d.mu.Unlock()
	return nil
}

// addUntagged adds entry to idx without a tag, as skopeo does: an untagged
// entry of the same digest is replaced in place, else entry is appended.
func addUntagged(idx *ispec.Index, entry ispec.Descriptor) {
	for i, m := range idx.Manifests {
		if m.Digest == entry.Digest && m.Annotations[casext.RefNameAnnotation] == "" {
			idx.Manifests[i] = entry
			return
		}
	}
	idx.Manifests = append(idx.Manifests, entry)
}

// Close releases the layout. When Commit did not succeed and this
// destination created the layout, the layout is removed again (if no other
// process has it open and nothing references anything in it).
func (d *layoutDest) Close() error {
	d.mu.Lock()
	committed := d.committed
	d.mu.Unlock()
	var err error
	if !committed {
		err = d.created.discard(d.engine)
	}
	return errors.Join(err, d.engine.Close())
}

// checkBlobDigest refuses a digest the layout cannot store a blob under.
func checkBlobDigest(desc ispec.Descriptor) error {
	if err := desc.Digest.Validate(); err != nil {
		return fmt.Errorf("invalid digest %q: %w", desc.Digest, err)
	}
	if desc.Digest.Algorithm() != cas.BlobAlgorithm {
		return fmt.Errorf("digest %s: %w: only %s blobs are stored", desc.Digest, transport.ErrUnsupported, cas.BlobAlgorithm)
	}
	if desc.Size < 0 {
		return fmt.Errorf("blob %s: invalid size %d", desc.Digest, desc.Size)
	}
	return nil
}

// checkRaw checks that raw is what desc describes.
func checkRaw(desc ispec.Descriptor, raw []byte) error {
	if err := desc.Digest.Validate(); err != nil {
		return fmt.Errorf("invalid digest %q: %w", desc.Digest, err)
	}
	if got := desc.Digest.Algorithm().FromBytes(raw); got != desc.Digest || int64(len(raw)) != desc.Size {
		return fmt.Errorf("%s: content is %s (%d bytes, want %d): %w", desc.Digest, got, len(raw), desc.Size, cas.ErrDigestMismatch)
	}
	return nil
}
