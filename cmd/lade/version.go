package main

import (
	"runtime"
	"strings"

	ispecs "github.com/opencontainers/image-spec/specs-go"
	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0+dev"

// versionString is the text after "NAME version ": the version, then the
// spec and Go versions on their own lines, as umoci prints them.
func versionString() string {
	return strings.Join([]string{
		version,
		"image spec: " + ispecs.Version,
		"runtime spec: " + rspec.Version,
		"go: " + runtime.Version(),
	}, "\n")
}
