package copytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/compress"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Copy copies src's image (or index) to dst and commits it; it does not
// close either side. It returns the descriptor it committed.
func Copy(ctx context.Context, src transport.Source, dst transport.Destination) (ispec.Descriptor, error) {
	top, err := src.Resolve(ctx)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	raw, err := transport.ReadManifest(ctx, src, top)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	if mediatype.IsIndex(top.MediaType) {
		var idx ispec.Index
		if err := json.Unmarshal(raw, &idx); err != nil {
			return ispec.Descriptor{}, err
		}
		for _, child := range idx.Manifests {
			craw, err := transport.ReadManifest(ctx, src, child)
			if err != nil {
				return ispec.Descriptor{}, err
			}
			if _, _, err := copyImage(ctx, src, dst, child, craw, false); err != nil {
				return ispec.Descriptor{}, err
			}
			if err := dst.PutManifest(ctx, child, craw); err != nil {
				return ispec.Descriptor{}, err
			}
		}
		return top, dst.Commit(ctx, top, raw)
	}
	desc, raw, err := copyImage(ctx, src, dst, top, raw, true)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	return desc, dst.Commit(ctx, desc, raw)
}

// copyImage copies the config and layers of manifest desc. When convert
// is set, layers are decompressed for a Decompress destination and the
// manifest is rewritten as Docker v2s2 for a destination that takes only
// that; it returns the manifest to store.
func copyImage(ctx context.Context, src transport.Source, dst transport.Destination, desc ispec.Descriptor, raw []byte, convert bool) (ispec.Descriptor, []byte, error) {
	var m ispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return desc, nil, err
	}
	if err := copyBlob(ctx, src, dst, m.Config); err != nil {
		return desc, nil, err
	}
	changed := false
	for i, l := range m.Layers {
		if convert && dst.LayerCompression() == transport.Decompress {
			nl, err := copyDecompressed(ctx, src, dst, l)
			if err != nil {
				return desc, nil, err
			}
			changed = changed || nl.Digest != l.Digest
			m.Layers[i] = nl
			continue
		}
		if err := copyBlob(ctx, src, dst, l); err != nil {
			return desc, nil, err
		}
	}
	types := dst.ManifestTypes()
	toDocker := convert && types != nil && !slices.Contains(types, desc.MediaType) && slices.Contains(types, mediatype.DockerManifest)
	if !changed && !toDocker {
		return desc, raw, nil
	}
	if toDocker {
		m.MediaType = mediatype.DockerManifest
		m.Config.MediaType = mediatype.DockerConfig
		for i, l := range m.Layers {
			m.Layers[i].MediaType = dockerLayerType(l.MediaType)
			m.Layers[i].Annotations = nil
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return desc, nil, err
	}
	nd := ispec.Descriptor{MediaType: m.MediaType, Digest: digest.FromBytes(out), Size: int64(len(out))}
	if nd.MediaType == "" {
		nd.MediaType = desc.MediaType
	}
	return nd, out, nil
}

// dockerLayerType maps an OCI layer media type to Docker's.
func dockerLayerType(mt string) string {
	switch suffix, _ := mediatype.LayerCompression(mt); suffix {
	case mediatype.CompressionGzip:
		return mediatype.DockerLayerGzip
	case mediatype.CompressionZstd:
		return mediatype.DockerLayerZstd
	}
	return mediatype.DockerLayer
}

// copyBlob copies one blob unless dst has it.
func copyBlob(ctx context.Context, src transport.Source, dst transport.Destination, d ispec.Descriptor) error {
	if ok, err := dst.Has(ctx, d); err != nil || ok {
		return err
	}
	rc, err := src.Fetch(ctx, d)
	if err != nil {
		return err
	}
	defer rc.Close()
	return dst.PutBlob(ctx, d, rc)
}

// copyDecompressed stores layer l uncompressed (its digest becomes its
// diff_id), spooling it to a temporary file to learn digest and size first.
func copyDecompressed(ctx context.Context, src transport.Source, dst transport.Destination, l ispec.Descriptor) (ispec.Descriptor, error) {
	alg, err := compress.ByMediaType(l.MediaType)
	if err != nil {
		return l, err
	}
	if alg.MediaTypeSuffix() == "" {
		return l, copyBlob(ctx, src, dst, l)
	}
	rc, err := src.Fetch(ctx, l)
	if err != nil {
		return l, err
	}
	defer rc.Close()
	dr, err := alg.Decompress(rc)
	if err != nil {
		return l, err
	}
	defer dr.Close()
	tmp, err := os.CreateTemp("", "copytest-*")
	if err != nil {
		return l, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	dg := digest.SHA256.Digester()
	n, err := io.Copy(io.MultiWriter(tmp, dg.Hash()), dr)
	if err != nil {
		return l, fmt.Errorf("decompress %s: %w", l.Digest, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return l, err
	}
	nl := ispec.Descriptor{MediaType: mediatype.Layer, Digest: dg.Digest(), Size: n}
	if mediatype.IsDocker(l.MediaType) {
		nl.MediaType = mediatype.DockerLayer
	}
	if ok, err := dst.Has(ctx, nl); err != nil || ok {
		return nl, err
	}
	return nl, dst.PutBlob(ctx, nl, tmp)
}
