package inspect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// Docker v2 schema 1 media types, recognized only to be refused clearly.
const (
	dockerSchema1       = "application/vnd.docker.distribution.manifest.v1+json"
	dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
)

// maxIndexDepth bounds how many indexes nested in indexes are followed.
const maxIndexDepth = 8

// maxConfigSize caps image configurations (casext's limit).
const maxConfigSize = 32 << 20

// image is the image manifest an inspection is about.
type image struct {
	mediaType string // mediatype.Manifest or mediatype.DockerManifest
	manifest  ispec.Manifest
}

// manifestType decides the media type of a manifest or index: the
// descriptor's when it is one lade reads, else what the content says
// (as skopeo guesses a type a layout or registry did not give).
func manifestType(declared string, raw []byte) string {
	switch declared {
	case mediatype.Manifest, mediatype.Index, mediatype.DockerManifest, mediatype.DockerManifestList:
		return declared
	}
	var probe struct {
		MediaType     string          `json:"mediaType"`
		SchemaVersion int             `json:"schemaVersion"`
		Config        json.RawMessage `json:"config"`
		Manifests     json.RawMessage `json:"manifests"`
	}
	if json.Unmarshal(raw, &probe) != nil {
		return declared
	}
	switch {
	case probe.MediaType != "":
		return probe.MediaType
	case probe.SchemaVersion == 1:
		return dockerSchema1
	case probe.Config != nil:
		return mediatype.Manifest
	case probe.Manifests != nil:
		return mediatype.Index
	}
	return declared
}

// parseDocument decodes raw, a manifest or index of media type mt, into
// v, refusing a document whose own mediaType disagrees with mt or that
// has the fields of the other kind (CVE-2021-41190).
func parseDocument(mt string, raw []byte, v any, forbidden ...string) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil || probe == nil {
		return fmt.Errorf("decode %s: not a JSON object", mt)
	}
	if own, ok := probe["mediaType"]; ok {
		var s string
		if json.Unmarshal(own, &s) != nil || s != mt {
			return fmt.Errorf("decode %s: document mediaType %q does not match", mt, own)
		}
	}
	for _, f := range forbidden {
		if _, ok := probe[f]; ok {
			return fmt.Errorf("decode %s: unexpected %q field", mt, f)
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode %s: %w", mt, err)
	}
	return nil
}

// resolveImage follows raw (the top manifest or index, described by top)
// down to one image manifest, choosing among the entries of indexes for p.
func resolveImage(ctx context.Context, src transport.Source, top ispec.Descriptor, raw []byte, p Platform) (*image, error) {
	desc := top
	for depth := 0; ; depth++ {
		mt := manifestType(desc.MediaType, raw)
		switch mt {
		case mediatype.Manifest, mediatype.DockerManifest:
			img := &image{mediaType: mt}
			if err := parseDocument(mt, raw, &img.manifest, "manifests"); err != nil {
				return nil, fmt.Errorf("parse manifest %s: %w", desc.Digest, err)
			}
			return img, nil
		case mediatype.Index, mediatype.DockerManifestList:
			if depth >= maxIndexDepth {
				return nil, fmt.Errorf("choose image instance: more than %d nested indexes", maxIndexDepth)
			}
			var idx ispec.Index
			if err := parseDocument(mt, raw, &idx, "config", "layers"); err != nil {
				return nil, fmt.Errorf("parse index %s: %w", desc.Digest, err)
			}
			child, err := casext.ChooseIndexEntry(&idx, mt, p)
			if err != nil {
				return nil, fmt.Errorf("choose image instance: %w", err)
			}
			if raw, err = transport.ReadManifest(ctx, src, child); err != nil {
				return nil, fmt.Errorf("fetch image selected from index: %w", err)
			}
			desc = child
		case dockerSchema1, dockerSchema1Signed:
			return nil, fmt.Errorf("inspect %s: Docker schema 1 manifests: %w", desc.Digest, transport.ErrUnsupported)
		default:
			return nil, fmt.Errorf("inspect %s: manifest type %q: %w", desc.Digest, mt, transport.ErrUnsupported)
		}
	}
}

// readBlob reads a blob of at most limit bytes described by desc.
func readBlob(ctx context.Context, src transport.Source, desc ispec.Descriptor, limit int64) ([]byte, error) {
	if desc.Size < 0 || desc.Size > limit {
		return nil, fmt.Errorf("read %s: size %d is over the limit of %d bytes", desc.Digest, desc.Size, limit)
	}
	rc, err := src.Fetch(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", desc.Digest, err)
	}
	raw, err := io.ReadAll(io.LimitReader(rc, desc.Size+1))
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err == nil && int64(len(raw)) != desc.Size {
		err = errors.New("size does not match the descriptor")
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", desc.Digest, err)
	}
	return raw, nil
}

// configBlob returns the verified bytes of img's configuration.
func (img *image) configBlob(ctx context.Context, src transport.Source) ([]byte, error) {
	raw, err := readBlob(ctx, src, img.manifest.Config, maxConfigSize)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return raw, nil
}

// checkImageConfig refuses an OCI artifact (a manifest whose config is not
// an image configuration) where skopeo refuses it: for the summary and
// the re-encoded configuration, not for the raw configuration.
func (img *image) checkImageConfig() error {
	if img.mediaType == mediatype.Manifest && img.manifest.Config.MediaType != mediatype.Config {
		return fmt.Errorf("unsupported image-specific operation on artifact with type %q", img.manifest.Config.MediaType)
	}
	return nil
}

// top resolves src and fetches its top manifest or index.
func top(ctx context.Context, src transport.Source) (ispec.Descriptor, []byte, error) {
	desc, err := src.Resolve(ctx)
	if err != nil {
		return ispec.Descriptor{}, nil, fmt.Errorf("resolve %s: %w", src.Name(), err)
	}
	raw, err := transport.ReadManifest(ctx, src, desc)
	if err != nil {
		return ispec.Descriptor{}, nil, fmt.Errorf("read manifest of %s: %w", src.Name(), err)
	}
	return desc, raw, nil
}
