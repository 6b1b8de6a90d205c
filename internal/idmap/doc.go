// Package idmap parses user-namespace style id mappings ("container:host[:size]")
// and translates ids between the container and host sides of a mapping set.
//
// It is a leaf package: it must import nothing from lade, only the runtime-spec
// types it speaks.
package idmap
