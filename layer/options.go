package layer

import (
	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// MapOptions says how owners in a layer map to owners on the host. Its JSON
// form is the "map_options" object of a bundle's umoci.json.
type MapOptions struct {
	// UIDMappings and GIDMappings translate container ids to host ids on
	// unpack and back on repack. Empty means the identity mapping.
	UIDMappings []rspec.LinuxIDMapping `json:"uid_mappings"`
	GIDMappings []rspec.LinuxIDMapping `json:"gid_mappings"`
	// Rootless makes lade work without privileges: no chown, owners kept in
	// the user.rootlesscontainers xattr, devices replaced by placeholders.
	Rootless bool `json:"rootless"`
}
