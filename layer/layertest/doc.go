// Package layertest builds tar layers declaratively for tests: a slice of
// Entry values becomes a real tar stream (PAX format, so xattrs and
// nanosecond times survive). Hostile entries are as easy to write as
// ordinary ones, which is the point.
//
// It is for tests only; it must import nothing from lade.
package layertest
