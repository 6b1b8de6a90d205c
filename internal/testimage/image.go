package testimage

import (
	"context"
	"fmt"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Write writes the image into the OCI layout at dir (created if missing;
// other tags of an existing layout are kept) and points tag at it.
func (b *Builder) Write(ctx context.Context, dir, tag string) (*Result, error) {
	if tag == "" {
		return nil, fmt.Errorf("write image: empty tag")
	}
	if err := initLayout(dir); err != nil {
		return nil, err
	}
	res := &Result{Layout: dir, Tag: tag}
	created := b.Created
	if created.IsZero() {
		created = Epoch
	}
	img := ispec.Image{
		Created:  &created,
		Author:   b.Author,
		Config:   b.Config,
		Platform: ispec.Platform{OS: b.OS, Architecture: b.Architecture, Variant: b.Variant},
		RootFS:   ispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	}
	for i, l := range b.Layers {
		desc, diffID, n, err := putLayer(ctx, dir, l)
		if err != nil {
			return nil, fmt.Errorf("write layer %d: %w", i, err)
		}
		res.Layers = append(res.Layers, desc)
		res.TarBytes += n
		img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, diffID)
		h := l.History
		if h.CreatedBy == "" {
			h.CreatedBy = fmt.Sprintf("testimage layer %d", i)
		}
		if h.Created == nil {
			h.Created = &created
		}
		h.EmptyLayer = false
		img.History = append(img.History, h)
	}
	for _, h := range b.EmptyHistory {
		if h.Created == nil {
			h.Created = &created
		}
		h.EmptyLayer = true
		img.History = append(img.History, h)
	}
	cfg, err := putJSON(dir, ispec.MediaTypeImageConfig, img)
	if err != nil {
		return nil, fmt.Errorf("write config: %w", err)
	}
	layers := res.Layers
	if layers == nil {
		layers = []ispec.Descriptor{}
	}
	man := ispec.Manifest{
		Versioned:   specs.Versioned{SchemaVersion: 2},
		MediaType:   ispec.MediaTypeImageManifest,
		Config:      cfg,
		Layers:      layers,
		Annotations: b.Annotations,
	}
	mdesc, err := putJSON(dir, ispec.MediaTypeImageManifest, man)
	if err != nil {
		return nil, fmt.Errorf("write manifest: %w", err)
	}
	if res.Manifest, err = setTag(dir, tag, mdesc); err != nil {
		return nil, fmt.Errorf("tag image: %w", err)
	}
	res.Config, res.Image = cfg, img
	return res, nil
}
