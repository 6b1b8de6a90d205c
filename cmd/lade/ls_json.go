package main

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/lade-oci/lade/oci/casext"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

// lsEntry is one element of ls --json: a tagged index.json entry. The
// field names and order are a documented interface for scripts.
type lsEntry struct {
	Tag       string          `json:"tag"`
	Digest    string          `json:"digest"`
	MediaType string          `json:"mediaType"`
	Size      int64           `json:"size"`
	Platform  *ispec.Platform `json:"platform,omitempty"`
}

// lsJSON prints the tagged entries of index.json as a JSON array, in index
// order. A platform that cannot be read (a broken image) is left out with a
// warning: listing never fails on blob problems.
func lsJSON(c *cli.Context, engine casext.Engine) error {
	idx, err := engine.GetIndex(c.Context)
	if err != nil {
		return fmt.Errorf("list references: %w", err)
	}
	entries := make([]lsEntry, 0, len(idx.Manifests))
	for _, d := range idx.Manifests {
		tag, ok := d.Annotations[casext.RefNameAnnotation]
		if !ok {
			continue
		}
		platform, err := engine.PathPlatform(c.Context, casext.DescriptorPath{Walk: []ispec.Descriptor{d}})
		if err != nil {
			slog.WarnContext(c.Context, "cannot read the platform of a tag", "tag", tag, "error", err)
			platform = nil
		}
		entries = append(entries, lsEntry{Tag: tag, Digest: d.Digest.String(), MediaType: d.MediaType, Size: d.Size, Platform: platform})
	}
	enc := json.NewEncoder(c.App.Writer)
	enc.SetIndent("", "  ")
	if err := enc.Encode(entries); err != nil {
		return fmt.Errorf("write tags: %w", err)
	}
	return nil
}
