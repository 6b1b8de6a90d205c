package idmap

import (
	"math"
	"strconv"
	"testing"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// FuzzParse feeds arbitrary text to Parse: it must never panic; what it
// accepts must print back to an equivalent mapping, have a size of at least
// 1 and no 32-bit overflow; and ToHost/ToContainer through it must be
// inverse bijections on the mapped range and refuse ids outside it.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0:1000", "0:1000:1", "0:100000:65536", "1:2:3", "4294967295:0", "0:4294967295:1",
		"0:0:4294967296", "1:0:4294967295", "", ":", "::", "0:1:0", "-1:0", "+1:0", "0x10:0", "0:1:2:3", " 1:2", "01:002"} {
		f.Add(s, uint32(0))
	}
	f.Add("10:1000:5", uint32(12))
	f.Fuzz(func(t *testing.T, s string, off uint32) {
		m, err := Parse(s)
		if err != nil {
			return
		}
		if m.Size == 0 {
			t.Fatalf("Parse(%q) = %+v: zero size", s, m)
		}
		last := uint64(m.Size) - 1
		if uint64(m.ContainerID)+last > math.MaxUint32 || uint64(m.HostID)+last > math.MaxUint32 {
			t.Fatalf("Parse(%q) = %+v: overflows", s, m)
		}
		canon := strconv.FormatUint(uint64(m.ContainerID), 10) + ":" + strconv.FormatUint(uint64(m.HostID), 10) + ":" +
			strconv.FormatUint(uint64(m.Size), 10)
		if again, err := Parse(canon); err != nil || again != m {
			t.Fatalf("Parse(%q) = %+v, but Parse(%q) = %+v, %v", s, m, canon, again, err)
		}
		maps := []rspec.LinuxIDMapping{m}
		// An id inside the range, picked by off.
		in := m.ContainerID + uint32(uint64(off)%uint64(m.Size))
		host, err := ToHost(in, maps)
		if err != nil {
			t.Fatalf("ToHost(%d, %+v): %v", in, m, err)
		}
		if host < m.HostID || uint64(host) > uint64(m.HostID)+last {
			t.Fatalf("ToHost(%d, %+v) = %d: outside the host range", in, m, host)
		}
		if back, err := ToContainer(host, maps); err != nil || back != in {
			t.Fatalf("ToContainer(ToHost(%d)) = %d, %v, %+v", in, back, err, m)
		}
		// An id just outside either end of the range is refused.
		if m.ContainerID > 0 {
			if _, err := ToHost(m.ContainerID-1, maps); err == nil {
				t.Fatalf("ToHost(%d, %+v): unmapped id accepted", m.ContainerID-1, m)
			}
		}
		if end := uint64(m.HostID) + last + 1; end <= math.MaxUint32 {
			if _, err := ToContainer(uint32(end), maps); err == nil {
				t.Fatalf("ToContainer(%d, %+v): unmapped id accepted", end, m)
			}
		}
	})
}

// FuzzMapSet checks ToHost/ToContainer over two parsed mappings: whenever
// neither side of the two ranges overlaps (the kernel refuses overlapping
// uid_map lines), ToContainer(ToHost(x)) == x and ToHost(ToContainer(y)) == y
// for every mapped x and y.
func FuzzMapSet(f *testing.F) {
	f.Add("0:1000:10", "10:2000:10", uint32(5))
	f.Add("0:100000:65536", "65536:1000:1", uint32(65536))
	f.Add("4294967295:0", "0:4294967295", uint32(4294967295))
	f.Fuzz(func(t *testing.T, a, b string, x uint32) {
		ma, errA := Parse(a)
		mb, errB := Parse(b)
		if errA != nil || errB != nil {
			return
		}
		overlap := func(s1, s2, n1, n2 uint32) bool {
			return uint64(s1) < uint64(s2)+uint64(n2) && uint64(s2) < uint64(s1)+uint64(n1)
		}
		if overlap(ma.ContainerID, mb.ContainerID, ma.Size, mb.Size) || overlap(ma.HostID, mb.HostID, ma.Size, mb.Size) {
			return
		}
		maps := []rspec.LinuxIDMapping{ma, mb}
		if h, err := ToHost(x, maps); err == nil {
			if back, err := ToContainer(h, maps); err != nil || back != x {
				t.Fatalf("ToContainer(ToHost(%d) = %d) = %d, %v with %+v", x, h, back, err, maps)
			}
		}
		if c, err := ToContainer(x, maps); err == nil {
			if back, err := ToHost(c, maps); err != nil || back != x {
				t.Fatalf("ToHost(ToContainer(%d) = %d) = %d, %v with %+v", x, c, back, err, maps)
			}
		}
	})
}
