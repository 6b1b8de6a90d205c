package bundle

import (
	"context"
	"fmt"

	rspec "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/lade-oci/lade/oci/casext"
)

// ImageRuntimeConfig loads the image at the end of path and converts its
// configuration with RuntimeConfig (raw runtime-config). rootfs may be
// empty: see RuntimeConfig.
func ImageRuntimeConfig(ctx context.Context, engine casext.Engine, path casext.DescriptorPath, rootfs string, opts ConfigOptions) (*rspec.Spec, error) {
	img, err := loadImage(ctx, engine, path)
	if err != nil {
		return nil, fmt.Errorf("generate runtime config: %w", err)
	}
	spec, err := RuntimeConfig(ctx, *img.config, rootfs, opts)
	if err != nil {
		return nil, fmt.Errorf("generate runtime config: %w", err)
	}
	return spec, nil
}
