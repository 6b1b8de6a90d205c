package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// Options are inspect's choices besides the image.
type Options struct {
	// NoTags leaves RepoTags empty instead of listing the repository's
	// tags (--no-tags).
	NoTags bool
	// Platform picks the image of an index or manifest list.
	Platform Platform
}

// Raw returns the top manifest or index of src exactly as fetched
// (--raw); skopeo prints it as it is, without a newline.
func Raw(ctx context.Context, src transport.Source) ([]byte, error) {
	_, raw, err := top(ctx, src)
	return raw, err
}

// Inspect returns skopeo's summary of the image src points at; for an
// index or manifest list, of the image opts.Platform picks (Digest stays
// the digest of the index, as skopeo prints it).
func Inspect(ctx context.Context, src transport.Source, opts Options) (*Output, error) {
	desc, raw, err := top(ctx, src)
	if err != nil {
		return nil, err
	}
	img, err := resolveImage(ctx, src, desc, raw, opts.Platform)
	if err != nil {
		return nil, err
	}
	if err := img.checkImageConfig(); err != nil {
		return nil, err
	}
	config, err := img.configBlob(ctx, src)
	if err != nil {
		return nil, err
	}
	out, err := summarize(img, config)
	if err != nil {
		return nil, fmt.Errorf("parse configuration %s: %w", img.manifest.Config.Digest, err)
	}
	out.Digest = digest.FromBytes(raw)

	name := src.Name()
	if name.Ref != nil && (name.Transport == transport.Docker || name.Transport == transport.DockerArchive) {
		out.Name = name.Ref.Name()
	}
	if lister, ok := src.(transport.TagLister); ok && !opts.NoTags && name.Transport == transport.Docker {
		if out.RepoTags, err = repoTags(ctx, lister); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// repoTags lists the repository's tags. A registry that refuses the
// listing (401 or 403) leaves RepoTags null with a warning, as in skopeo.
func repoTags(ctx context.Context, lister transport.TagLister) ([]string, error) {
	tags, err := lister.Tags(ctx)
	if err != nil {
		if msg := err.Error(); strings.Contains(msg, "401") || strings.Contains(msg, "403") {
			slog.WarnContext(ctx, "Registry disallows tag list retrieval; skipping", "error", err)
			return nil, nil
		}
		return nil, fmt.Errorf("determine repository tags: %w", err)
	}
	if tags == nil {
		tags = []string{}
	}
	return tags, nil
}

// summarize fills in what the image manifest and its configuration say,
// decoding the configuration as skopeo does for each manifest type.
func summarize(img *image, config []byte) (*Output, error) {
	out := &Output{
		RepoTags:   []string{},
		Layers:     make([]string, 0, len(img.manifest.Layers)),
		LayersData: make([]LayerData, 0, len(img.manifest.Layers)),
	}
	for _, l := range img.manifest.Layers {
		out.Layers = append(out.Layers, l.Digest.String())
		out.LayersData = append(out.LayersData, LayerData{MIMEType: l.MediaType, Digest: l.Digest, Size: l.Size, Annotations: l.Annotations})
	}
	if img.mediaType == mediatype.DockerManifest {
		// Docker's "created" is not optional: a missing one is the zero time.
		var cfg struct {
			Created       time.Time `json:"created"`
			DockerVersion string    `json:"docker_version"`
			Architecture  string    `json:"architecture"`
			OS            string    `json:"os"`
			Config        *struct {
				Labels map[string]string `json:"Labels"`
				Env    []string          `json:"Env"`
			} `json:"config"`
		}
		if err := json.Unmarshal(config, &cfg); err != nil {
			return nil, err
		}
		out.Created, out.DockerVersion = &cfg.Created, cfg.DockerVersion
		out.Architecture, out.Os = cfg.Architecture, cfg.OS
		if cfg.Config != nil {
			out.Labels, out.Env = cfg.Config.Labels, cfg.Config.Env
		}
		return out, nil
	}
	var cfg ispec.Image
	if err := json.Unmarshal(config, &cfg); err != nil {
		return nil, err
	}
	// An OCI configuration has no docker_version, but skopeo reads one if
	// it is there.
	var docker struct {
		DockerVersion string `json:"docker_version"`
	}
	if err := json.Unmarshal(config, &docker); err != nil {
		return nil, err
	}
	out.Created, out.DockerVersion = cfg.Created, docker.DockerVersion
	out.Architecture, out.Os = cfg.Architecture, cfg.OS
	out.Labels, out.Env = cfg.Config.Labels, cfg.Config.Env
	return out, nil
}
