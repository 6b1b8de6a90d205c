package main

import (
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/layer"
)

// layerEdit is what the commands that write a new layer from host files
// (insert, squash) parse before they touch the layout, so that a bad flag
// fails before any blob is written.
type layerEdit struct {
	image   imageSelection
	newTag  string           // --tag, else the image's tag
	maps    layer.MapOptions // --rootless, --uid-map, --gid-map
	sde     *time.Time       // SOURCE_DATE_EPOCH, if set
	history *ispec.History   // nil with --no-history
}

// parseLayerEdit parses --image, --platform, --tag, --compress (checked
// here, resolved later against the image's layers), the map flags,
// SOURCE_DATE_EPOCH and the history flags (created_by createdBy).
func parseLayerEdit(c *cli.Context, createdBy string) (layerEdit, error) {
	var e layerEdit
	var err error
	if e.image, err = selectImage(c); err != nil {
		return layerEdit{}, err
	}
	if e.newTag, err = newTagFromFlag(c, e.image.Tag); err != nil {
		return layerEdit{}, err
	}
	if _, err := compressFromFlag(c, nil); err != nil {
		return layerEdit{}, err
	}
	if e.maps, err = mapOptionsFromFlags(c); err != nil {
		return layerEdit{}, err
	}
	if e.sde, err = sourceDateEpoch(); err != nil {
		return layerEdit{}, err
	}
	if e.history, err = historyFromFlags(c, createdBy, ""); err != nil {
		return layerEdit{}, err
	}
	return e, nil
}
