package main

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// hostVariant is the platform variant of the host, as the image-spec
// platform list spells it: "v8" on arm64, "v5".."v7" on 32-bit arm (from
// the GOARM the binary was built for), empty elsewhere.
func hostVariant() string {
	return variantFor(runtime.GOARCH, buildSetting("GOARM"))
}

// variantFor maps GOARCH and GOARM to the platform variant.
func variantFor(goarch, goarm string) string {
	switch goarch {
	case "arm64":
		return "v8"
	case "arm":
		goarm, _, _ = strings.Cut(goarm, ",") // "7,softfloat"
		if goarm == "" {
			goarm = "7"
		}
		return "v" + goarm
	}
	return ""
}

// buildSetting returns a build setting recorded in the binary, if any.
func buildSetting(key string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}
