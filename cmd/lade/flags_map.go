package main

import (
	"fmt"
	"os"

	"github.com/lade-oci/lade/internal/idmap"
	"github.com/lade-oci/lade/layer"
	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"
)

// mapFlags are --rootless, --uid-map and --gid-map.
func mapFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "rootless", Usage: "work without privileges (implies --uid-map 0:$EUID:1 --gid-map 0:$EGID:1 unless given)"},
		&cli.StringSliceFlag{Name: "uid-map", Usage: "uid mapping `container:host[:size]` (repeatable)"},
		&cli.StringSliceFlag{Name: "gid-map", Usage: "gid mapping `container:host[:size]` (repeatable)"},
	}
}

// mapOptionsFromFlags parses the map flags. --rootless without explicit maps
// maps container 0 to the caller's effective uid/gid.
func mapOptionsFromFlags(c *cli.Context) (layer.MapOptions, error) {
	opts := layer.MapOptions{Rootless: c.Bool("rootless")}
	var err error
	if opts.UIDMappings, err = parseMaps("--uid-map", c.StringSlice("uid-map")); err != nil {
		return layer.MapOptions{}, err
	}
	if opts.GIDMappings, err = parseMaps("--gid-map", c.StringSlice("gid-map")); err != nil {
		return layer.MapOptions{}, err
	}
	if opts.Rootless {
		if len(opts.UIDMappings) == 0 {
			opts.UIDMappings = []rspec.LinuxIDMapping{{ContainerID: 0, HostID: uint32(os.Geteuid()), Size: 1}}
		}
		if len(opts.GIDMappings) == 0 {
			opts.GIDMappings = []rspec.LinuxIDMapping{{ContainerID: 0, HostID: uint32(os.Getegid()), Size: 1}}
		}
	}
	return opts, nil
}

func parseMaps(flag string, values []string) ([]rspec.LinuxIDMapping, error) {
	var maps []rspec.LinuxIDMapping
	for _, v := range values {
		m, err := idmap.Parse(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		maps = append(maps, m)
	}
	if err := idmap.Validate(maps); err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return maps, nil
}
