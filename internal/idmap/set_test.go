package idmap

import (
	"strings"
	"testing"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidate(t *testing.T) {
	m := func(c, h, s uint32) rspec.LinuxIDMapping {
		return rspec.LinuxIDMapping{ContainerID: c, HostID: h, Size: s}
	}
	for _, tc := range []struct {
		name string
		maps []rspec.LinuxIDMapping
		want string // "" for valid
	}{
		{name: "none"},
		{name: "one", maps: []rspec.LinuxIDMapping{m(0, 1000, 1)}},
		{name: "adjacent", maps: []rspec.LinuxIDMapping{m(0, 1000, 1), m(1, 100000, 65536)}},
		{name: "max range", maps: []rspec.LinuxIDMapping{m(0, 0, 4294967295), m(4294967295, 4294967295, 1)}},
		{name: "container overlap", maps: []rspec.LinuxIDMapping{m(0, 1000, 10), m(5, 2000, 10)},
			want: "mapping 1 (5:2000:10) overlaps mapping 0 (0:1000:10) in container ids"},
		{name: "host overlap", maps: []rspec.LinuxIDMapping{m(0, 1000, 10), m(100, 1009, 1)},
			want: "mapping 1 (100:1009:1) overlaps mapping 0 (0:1000:10) in host ids"},
		{name: "same twice", maps: []rspec.LinuxIDMapping{m(0, 0, 1), m(0, 0, 1)}, want: "overlaps"},
		{name: "contained", maps: []rspec.LinuxIDMapping{m(0, 0, 100), m(3, 500, 2)}, want: "in container ids"},
		{name: "zero size", maps: []rspec.LinuxIDMapping{m(0, 0, 0)}, want: "size must be at least 1"},
		{name: "overflow", maps: []rspec.LinuxIDMapping{m(4294967295, 0, 2)}, want: "overflows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.maps)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestFormatParses(t *testing.T) {
	for _, s := range []string{"0:1000:1", "1:100000:65536", "4294967295:0:1"} {
		m, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := Format(m); got != s {
			t.Errorf("Format(Parse(%q)) = %q", s, got)
		}
	}
}
