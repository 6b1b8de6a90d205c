package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/layer"
)

func TestMapOptionsFromFlags(t *testing.T) {
	euid, egid := uint32(os.Geteuid()), uint32(os.Getegid())
	m := func(c, h, s uint32) rspec.LinuxIDMapping {
		return rspec.LinuxIDMapping{ContainerID: c, HostID: h, Size: s}
	}
	for _, tc := range []struct {
		name    string
		args    []string
		want    layer.MapOptions
		wantErr string
	}{
		{name: "none"},
		{name: "rootless implies maps", args: []string{"--rootless"}, want: layer.MapOptions{
			Rootless: true, UIDMappings: []rspec.LinuxIDMapping{m(0, euid, 1)}, GIDMappings: []rspec.LinuxIDMapping{m(0, egid, 1)},
		}},
		{name: "rootless keeps given maps", args: []string{"--rootless", "--uid-map", "0:1000:10", "--uid-map", "10:2000"}, want: layer.MapOptions{
			Rootless: true, UIDMappings: []rspec.LinuxIDMapping{m(0, 1000, 10), m(10, 2000, 1)}, GIDMappings: []rspec.LinuxIDMapping{m(0, egid, 1)},
		}},
		{name: "maps without rootless", args: []string{"--gid-map", "0:100:65536"}, want: layer.MapOptions{
			GIDMappings: []rspec.LinuxIDMapping{m(0, 100, 65536)},
		}},
		{name: "bad map", args: []string{"--uid-map", "0:x"}, wantErr: "--uid-map: parse id mapping"},
		{name: "zero size", args: []string{"--gid-map", "0:0:0"}, wantErr: "--gid-map"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got layer.MapOptions
			err := withFlags(t, mapFlags(), tc.args, func(c *cli.Context) error {
				var err error
				got, err = mapOptionsFromFlags(c)
				return err
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Rootless != tc.want.Rootless || !slices.Equal(got.UIDMappings, tc.want.UIDMappings) ||
				!slices.Equal(got.GIDMappings, tc.want.GIDMappings) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
