package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/transport"
)

// ImageConfig is an image configuration as skopeo 1.9.3 prints it with
// --config: decoded into the OCI image configuration of the image-spec
// version skopeo was built with, whose field order (platform fields
// between author and config) differs from today's ispec.Image. Fields
// that are not OCI (Docker's container_config, docker_version, ...) are
// dropped, as skopeo drops them. The Go field names are those templates
// see in skopeo.
type ImageConfig struct {
	Created      *time.Time        `json:"created,omitempty"`
	Author       string            `json:"author,omitempty"`
	Architecture string            `json:"architecture"`
	Variant      string            `json:"variant,omitempty"`
	OS           string            `json:"os"`
	OSVersion    string            `json:"os.version,omitempty"`
	OSFeatures   []string          `json:"os.features,omitempty"`
	Config       ispec.ImageConfig `json:"config,omitempty"`
	RootFS       ispec.RootFS      `json:"rootfs"`
	History      []ispec.History   `json:"history,omitempty"`
}

// Config returns the configuration of the image src points at (picked
// for p from an index), decoded as skopeo's --config prints it. An OCI
// artifact, whose config is not an image configuration, is refused.
func Config(ctx context.Context, src transport.Source, p Platform) (*ImageConfig, error) {
	img, raw, err := imageConfig(ctx, src, p)
	if err != nil {
		return nil, err
	}
	if err := img.checkImageConfig(); err != nil {
		return nil, err
	}
	var cfg ImageConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("parse configuration %s: %w", img.manifest.Config.Digest, err)
	}
	return &cfg, nil
}

// ConfigRaw returns the configuration blob of the image src points at
// (picked for p from an index) exactly as stored (--config --raw); skopeo
// prints it as it is, without a newline.
func ConfigRaw(ctx context.Context, src transport.Source, p Platform) ([]byte, error) {
	_, raw, err := imageConfig(ctx, src, p)
	return raw, err
}

// imageConfig resolves src to one image and reads its configuration.
func imageConfig(ctx context.Context, src transport.Source, p Platform) (*image, []byte, error) {
	desc, raw, err := top(ctx, src)
	if err != nil {
		return nil, nil, err
	}
	img, err := resolveImage(ctx, src, desc, raw, p)
	if err != nil {
		return nil, nil, err
	}
	config, err := img.configBlob(ctx, src)
	if err != nil {
		return nil, nil, err
	}
	return img, config, nil
}
