package idmap

import (
	"strings"
	"testing"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    rspec.LinuxIDMapping
		wantErr string
	}{
		{in: "0:1000", want: rspec.LinuxIDMapping{ContainerID: 0, HostID: 1000, Size: 1}},
		{in: "0:100000:65536", want: rspec.LinuxIDMapping{ContainerID: 0, HostID: 100000, Size: 65536}},
		{in: "4294967295:0", want: rspec.LinuxIDMapping{ContainerID: 4294967295, HostID: 0, Size: 1}},
		{in: "", wantErr: "want container:host[:size]"},
		{in: "1", wantErr: "want container:host[:size]"},
		{in: "1:2:3:4", wantErr: "want container:host[:size]"},
		{in: "a:2", wantErr: "invalid container id"},
		{in: "1:-2", wantErr: "invalid host id"},
		{in: "1:2:x", wantErr: "invalid size"},
		{in: "4294967296:0", wantErr: "invalid container id"},
		{in: "0:0:0", wantErr: "size must be at least 1"},
		{in: "4294967295:0:2", wantErr: "overflows"},
		{in: "0:4294967200:1000", wantErr: "overflows"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Parse(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestTranslate(t *testing.T) {
	maps := []rspec.LinuxIDMapping{
		{ContainerID: 0, HostID: 1000, Size: 1},
		{ContainerID: 1, HostID: 100000, Size: 65536},
	}
	tests := []struct {
		name      string
		container uint32
		host      uint32
		unmapped  bool
	}{
		{name: "root", container: 0, host: 1000},
		{name: "range start", container: 1, host: 100000},
		{name: "range end", container: 65536, host: 165535},
		{name: "past range", container: 65537, unmapped: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ToHost(tc.container, maps)
			if tc.unmapped {
				if err == nil {
					t.Fatalf("ToHost(%d) = %d, want error", tc.container, h)
				}
				return
			}
			if err != nil || h != tc.host {
				t.Fatalf("ToHost(%d) = %d, %v; want %d", tc.container, h, err, tc.host)
			}
			c, err := ToContainer(tc.host, maps)
			if err != nil || c != tc.container {
				t.Fatalf("ToContainer(%d) = %d, %v; want %d", tc.host, c, err, tc.container)
			}
		})
	}
	if _, err := ToContainer(5, maps); err == nil {
		t.Fatal("ToContainer(5) of unmapped host id succeeded")
	}
	for _, id := range []uint32{0, 7, 4294967295} {
		if h, err := ToHost(id, nil); err != nil || h != id {
			t.Fatalf("identity ToHost(%d) = %d, %v", id, h, err)
		}
		if c, err := ToContainer(id, nil); err != nil || c != id {
			t.Fatalf("identity ToContainer(%d) = %d, %v", id, c, err)
		}
	}
}
