package bundle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/oci/casext"
)

// MetaName is the name of the bundle metadata file (umoci-behaviour.md §3.5).
const MetaName = "umoci.json"

// MetaVersion is the only metadata format version umoci and lade accept.
// It is the format's version, not umoci's release version.
const MetaVersion = "2"

// maxMetaSize caps how much of umoci.json is read.
const maxMetaSize = 4 << 20

// ErrMetaVersion is returned for a umoci.json this version cannot handle.
var ErrMetaVersion = errors.New("unsupported umoci.json")

// Meta is the content of a bundle's umoci.json. Field order is the JSON
// order umoci writes.
type Meta struct {
	Version    string                `json:"umoci_version"`
	From       casext.DescriptorPath `json:"from_descriptor_path"`
	MapOptions layer.MapOptions      `json:"map_options"`
}

// metaOnDisk adds the deprecated whiteout_mode that 0.4.7 always writes
// ("whiteout_mode":0) and that must be zero.
type metaOnDisk struct {
	Meta
	WhiteoutMode int `json:"whiteout_mode"`
}

// ReadMeta reads BUNDLE/umoci.json. It refuses any umoci_version but "2",
// a non-zero whiteout_mode, an empty descriptor path, a malformed digest or
// negative size in it, and an id mapping of size 0 or overflowing 32 bits.
func ReadMeta(ctx context.Context, bundle string) (Meta, error) {
	if err := ctx.Err(); err != nil {
		return Meta{}, err
	}
	path := filepath.Join(bundle, MetaName)
	f, err := os.Open(path)
	if err != nil {
		return Meta{}, fmt.Errorf("read bundle metadata: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMetaSize+1))
	if err != nil {
		return Meta{}, fmt.Errorf("read bundle metadata: %w", err)
	}
	if len(data) > maxMetaSize {
		return Meta{}, fmt.Errorf("read bundle metadata: %s larger than %d bytes", path, maxMetaSize)
	}
	var m metaOnDisk
	if err := json.Unmarshal(data, &m); err != nil {
		return Meta{}, fmt.Errorf("parse bundle metadata %s: %w", path, err)
	}
	if m.Version != MetaVersion {
		return Meta{}, fmt.Errorf("parse bundle metadata %s: %w: umoci_version %q (want %q)", path, ErrMetaVersion, m.Version, MetaVersion)
	}
	if m.WhiteoutMode != 0 {
		return Meta{}, fmt.Errorf("parse bundle metadata %s: %w: whiteout_mode %d", path, ErrMetaVersion, m.WhiteoutMode)
	}
	if len(m.From.Walk) == 0 {
		return Meta{}, fmt.Errorf("parse bundle metadata %s: empty from_descriptor_path", path)
	}
	if err := validateMeta(m.Meta); err != nil {
		return Meta{}, fmt.Errorf("parse bundle metadata %s: %w", path, err)
	}
	return m.Meta, nil
}

// WriteMeta atomically writes m as BUNDLE/umoci.json, byte for byte as
// umoci does (Go encoder, trailing newline, no whiteout_mode).
func WriteMeta(ctx context.Context, bundle string, m Meta) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(m); err != nil {
		return fmt.Errorf("encode bundle metadata: %w", err)
	}
	if err := writeFileAtomic(ctx, filepath.Join(bundle, MetaName), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write bundle metadata: %w", err)
	}
	return nil
}
