// Package compress names the layer compression algorithms lade reads and
// writes (none, gzip, zstd), maps them to and from layer media-type suffixes
// and detects them from magic bytes.
//
// Decompressing readers tolerate what real registries and tools produce:
// concatenated members or frames, and trailing junk after the compressed
// stream, which is drained (so a verifying reader underneath sees every byte)
// and reported with a warning.
//
// It is a leaf package: it must not import any other lade package.
package compress
