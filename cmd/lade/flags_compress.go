package main

import (
	"fmt"

	"github.com/lade-oci/lade/oci/compress"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

// compressAuto is the --compress value that follows the image's layers.
const compressAuto = "auto"

// compressFlag is --compress for the commands that create a layer.
func compressFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "compress",
		Value: compressAuto,
		Usage: "compression of the new layer: none, gzip, zstd or auto (the compression of the image's last compressed layer, else gzip)",
	}
}

// compressLevelFlag is --compress-level, beside --compress.
func compressLevelFlag() cli.Flag {
	return &cli.IntFlag{
		Name:  "compress-level",
		Usage: "compression effort of the new layer: gzip 1 (fastest) to 9 (smallest), zstd 1 to 22; 0 is the default (gzip as umoci)",
	}
}

// compressFromFlag resolves --compress and --compress-level for an image
// whose layers are given (in manifest order). "auto" picks the algorithm of
// the most recent layer whose media type names a known compression,
// skipping uncompressed layers, and falls back to gzip: it never picks
// none. The level applies to whatever was picked.
func compressFromFlag(c *cli.Context, layers []ispec.Descriptor) (compress.Algorithm, error) {
	alg, err := compressAlgorithm(c, layers)
	if err != nil {
		return nil, err
	}
	level := c.Int("compress-level")
	if level == 0 {
		return alg, nil
	}
	if alg, err = compress.WithLevel(alg, level); err != nil {
		return nil, fmt.Errorf("invalid --compress-level %d: %w", level, err)
	}
	return alg, nil
}

// compressAlgorithm resolves --compress alone.
func compressAlgorithm(c *cli.Context, layers []ispec.Descriptor) (compress.Algorithm, error) {
	name := c.String("compress")
	if name != compressAuto {
		alg, err := compress.ByName(name)
		if err != nil {
			return nil, fmt.Errorf("invalid --compress value %q: %w", name, err)
		}
		return alg, nil
	}
	for i := len(layers) - 1; i >= 0; i-- {
		alg, err := compress.ByMediaType(layers[i].MediaType)
		if err != nil || alg.Name() == compress.None.Name() {
			continue
		}
		return alg, nil
	}
	return compress.Gzip, nil
}
