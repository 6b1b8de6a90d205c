// Package bundle turns images into runtime bundles and back: it unpacks an
// image into BUNDLE/rootfs with a runtime-spec config.json, an mtree manifest
// and umoci.json (see umoci-behaviour.md §3.4-§3.6), converts an image
// config into a runtime-spec config (§4) and repacks a modified rootfs into
// a new layer.
//
// It sits above layer, mutate and oci/*; it must not import cmd/lade or
// urfave/cli, and it never prints: callers format any output.
package bundle
