package bundle

import (
	"fmt"
	"math"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// validateMeta checks the parts of a decoded umoci.json that later stages
// trust: every descriptor of the path has a well-formed digest (it becomes
// a blob path) and a non-negative size, and every id mapping is one
// idmap.Parse would accept (size at least 1, no 32-bit overflow), so that
// a hand-edited file fails here instead of mis-mapping owners on repack.
func validateMeta(m Meta) error {
	for i, d := range m.From.Walk {
		if err := d.Digest.Validate(); err != nil {
			return fmt.Errorf("descriptor %d of from_descriptor_path: digest %q: %w", i, d.Digest, err)
		}
		if d.Size < 0 {
			return fmt.Errorf("descriptor %d of from_descriptor_path: negative size %d", i, d.Size)
		}
	}
	if err := validateMappings("uid_mappings", m.MapOptions.UIDMappings); err != nil {
		return err
	}
	return validateMappings("gid_mappings", m.MapOptions.GIDMappings)
}

func validateMappings(name string, maps []rspec.LinuxIDMapping) error {
	for i, mp := range maps {
		if mp.Size == 0 {
			return fmt.Errorf("%s[%d]: size must be at least 1", name, i)
		}
		last := uint64(mp.Size) - 1
		if uint64(mp.ContainerID)+last > math.MaxUint32 || uint64(mp.HostID)+last > math.MaxUint32 {
			return fmt.Errorf("%s[%d]: range overflows 32-bit ids", name, i)
		}
	}
	return nil
}
