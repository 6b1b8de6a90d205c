package bundle

import (
	"fmt"

	"github.com/lade-oci/lade/internal/idmap"
	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// validateMeta checks the parts of a decoded umoci.json that later stages
// trust: every descriptor of the path has a well-formed digest (it becomes
// a blob path) and a non-negative size, and the id mappings are a set
// idmap.Validate accepts (each of size at least 1 without 32-bit overflow,
// none overlapping), so that a hand-edited file fails here instead of
// mis-mapping owners on repack.
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
	if err := idmap.Validate(maps); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
