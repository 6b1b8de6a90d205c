// Command hostile writes an OCI image layout whose tags are hostile images
// for test/hostile.bats: path traversal, symlink and hardlink escapes,
// whiteout tricks, FIFOs and truncated layers (tar and gzip). OUTSIDE is the sentinel
// directory the images try to reach (used in absolute symlinks).
//
// Usage: go run ./test/hostile LAYOUT OUTSIDE
//
// It writes uncompressed layers with archive/tar only and must import nothing
// from lade, so a bug in lade cannot hide a bug in the images.
package main
