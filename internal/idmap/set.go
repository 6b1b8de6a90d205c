package idmap

import (
	"fmt"
	"math"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// Validate checks a set of mappings as the kernel checks a uid_map or
// gid_map: each has a size of at least 1 and stays within 32-bit ids, and
// no two overlap, neither in container ids nor in host ids (an overlap
// would make an id map to two owners, or two ids to one). It names the
// first offending pair by index.
func Validate(maps []rspec.LinuxIDMapping) error {
	for i, m := range maps {
		if m.Size == 0 {
			return fmt.Errorf("mapping %d (%s): size must be at least 1", i, Format(m))
		}
		last := uint64(m.Size) - 1
		if uint64(m.ContainerID)+last > math.MaxUint32 || uint64(m.HostID)+last > math.MaxUint32 {
			return fmt.Errorf("mapping %d (%s): range overflows 32-bit ids", i, Format(m))
		}
		for j, o := range maps[:i] {
			switch {
			case overlap(m.ContainerID, m.Size, o.ContainerID, o.Size):
				return fmt.Errorf("mapping %d (%s) overlaps mapping %d (%s) in container ids", i, Format(m), j, Format(o))
			case overlap(m.HostID, m.Size, o.HostID, o.Size):
				return fmt.Errorf("mapping %d (%s) overlaps mapping %d (%s) in host ids", i, Format(m), j, Format(o))
			}
		}
	}
	return nil
}

// Format writes m as Parse reads it: container:host:size.
func Format(m rspec.LinuxIDMapping) string {
	return fmt.Sprintf("%d:%d:%d", m.ContainerID, m.HostID, m.Size)
}

// overlap reports whether [a, a+as) and [b, b+bs) share an id.
func overlap(a, as, b, bs uint32) bool {
	return uint64(a) < uint64(b)+uint64(bs) && uint64(b) < uint64(a)+uint64(as)
}
