package idmap

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// Parse parses a mapping written as "container:host[:size]". The size
// defaults to 1. Every field is a decimal uint32, the size must be at least 1
// and neither range may overflow the 32-bit id space.
func Parse(s string) (rspec.LinuxIDMapping, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 2 && len(parts) != 3 {
		return rspec.LinuxIDMapping{}, fmt.Errorf("parse id mapping %q: want container:host[:size]", s)
	}
	vals := [3]uint32{0, 0, 1}
	names := [3]string{"container id", "host id", "size"}
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return rspec.LinuxIDMapping{}, fmt.Errorf("parse id mapping %q: invalid %s %q", s, names[i], p)
		}
		vals[i] = uint32(v)
	}
	m := rspec.LinuxIDMapping{ContainerID: vals[0], HostID: vals[1], Size: vals[2]}
	if m.Size == 0 {
		return rspec.LinuxIDMapping{}, fmt.Errorf("parse id mapping %q: size must be at least 1", s)
	}
	last := uint64(m.Size) - 1
	if uint64(m.ContainerID)+last > math.MaxUint32 || uint64(m.HostID)+last > math.MaxUint32 {
		return rspec.LinuxIDMapping{}, fmt.Errorf("parse id mapping %q: range overflows 32-bit ids", s)
	}
	return m, nil
}

// ToHost translates a container id to its host id. An empty mapping set is
// the identity; an id no mapping covers is an error.
func ToHost(id uint32, maps []rspec.LinuxIDMapping) (uint32, error) {
	if len(maps) == 0 {
		return id, nil
	}
	for _, m := range maps {
		if id >= m.ContainerID && uint64(id) < uint64(m.ContainerID)+uint64(m.Size) {
			return m.HostID + (id - m.ContainerID), nil
		}
	}
	return 0, fmt.Errorf("map container id %d to host: id is not mapped", id)
}

// ToContainer translates a host id back to its container id. An empty
// mapping set is the identity; an id no mapping covers is an error.
func ToContainer(id uint32, maps []rspec.LinuxIDMapping) (uint32, error) {
	if len(maps) == 0 {
		return id, nil
	}
	for _, m := range maps {
		if id >= m.HostID && uint64(id) < uint64(m.HostID)+uint64(m.Size) {
			return m.ContainerID + (id - m.HostID), nil
		}
	}
	return 0, fmt.Errorf("map host id %d to container: id is not mapped", id)
}
