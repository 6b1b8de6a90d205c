package mutate

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Meta is the image metadata outside config.config that [Mutator.Set]
// replaces: creation time, author and every platform field. A zero Created
// means the config has no "created" field.
type Meta struct {
	Created      time.Time
	Author       string
	OS           string
	Architecture string
	Variant      string
	OSVersion    string
	OSFeatures   []string
}

// Meta returns the current metadata. Every platform field is returned,
// including the variant, so Get-then-Set round-trips without loss.
func (m *Mutator) Meta(ctx context.Context) (Meta, error) {
	if err := m.load(ctx); err != nil {
		return Meta{}, err
	}
	c := m.config
	meta := Meta{
		Author:       c.Author,
		OS:           c.OS,
		Architecture: c.Architecture,
		Variant:      c.Variant,
		OSVersion:    c.OSVersion,
		OSFeatures:   slices.Clone(c.OSFeatures),
	}
	if c.Created != nil {
		meta.Created = *c.Created
	}
	return meta, nil
}

// Set replaces config.config, the metadata (created, author, all platform
// fields) and the manifest annotations (nil or empty ⇒ none), forces the
// manifest mediaType, and appends history (when non-nil) as an empty layer.
// The arguments are copied; the caller may reuse them. Keys of
// config.config that ispec.ImageConfig does not model (Healthcheck, Shell,
// OnBuild, ...) are not part of cfg: Commit keeps them from the original.
func (m *Mutator) Set(ctx context.Context, cfg ispec.ImageConfig, meta Meta, annotations map[string]string, history *ispec.History) error {
	if err := m.load(ctx); err != nil {
		return fmt.Errorf("set image config: %w", err)
	}
	c := m.config
	c.Config = copyImageConfig(cfg)
	c.Created = nil
	if !meta.Created.IsZero() {
		created := meta.Created
		c.Created = &created
	}
	c.Author = meta.Author
	platform := ispec.Platform{
		OS:           meta.OS,
		Architecture: meta.Architecture,
		Variant:      meta.Variant,
		OSVersion:    meta.OSVersion,
		OSFeatures:   slices.Clone(meta.OSFeatures),
	}
	if !platformEqual(&c.Platform, &platform) {
		m.platformChanged = true
	}
	c.Platform = platform
	if history != nil {
		h := copyHistory(*history)
		h.EmptyLayer = true
		c.History = append(c.History, h)
	}

	m.manifest.MediaType = ispec.MediaTypeImageManifest
	m.manifest.Annotations = nil
	if len(annotations) > 0 {
		m.manifest.Annotations = maps.Clone(annotations)
	}
	m.dirty = true
	return nil
}
