package inspect

import (
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Platform is the platform an image is picked for from an index or
// manifest list: the host's, with each non-empty field overriding its
// part (skopeo's --override-os, --override-arch, --override-variant). The
// pick is casext.ChooseIndexEntry's, and so is its failure: skopeo's
// message ("no image found in image index for architecture ..."), a
// *casext.PlatformNotFoundError.
type Platform = ispec.Platform
