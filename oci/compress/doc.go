// Package compress names the layer compression algorithms lade reads and
// writes (none, gzip, zstd), maps them to and from layer media-type suffixes
// and detects them from magic bytes.
//
// Decompressing readers tolerate what real registries and tools produce:
// concatenated members or frames, and trailing junk after the compressed
// stream, which is drained (so a verifying reader underneath sees every byte)
// and reported with a warning.
//
// Compressed output is byte for byte umoci's: gzip is klauspost/pgzip with
// 1 MiB blocks at the default level, zstd the klauspost encoder at its
// default, both from klauspost/compress v1.11.3, the version umoci pins
// because every later release changed the encoders' output (and with it
// layer digests). go.mod must keep those versions; TestSameStreamAsUmoci
// fails when they move.
//
// It is a leaf package: it must not import any other lade package.
package compress
