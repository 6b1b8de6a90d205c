// Package testimage writes valid OCI image layouts directly to disk for
// tests, bats fixtures and benchmarks, without going through lade itself.
//
// A Builder collects layers (lists of tar entries: files, directories,
// symlinks, hardlinks, whiteouts and opaque whiteouts), an image config and
// history, then Write streams every layer through tar, the chosen
// compression (gzip, zstd or none) and sha256 into blobs/sha256/, and
// records the manifest under a tag (org.opencontainers.image.ref.name) in
// index.json. Output is deterministic: the same Builder contents always
// produce the same digests.
//
// It must not import any other lade package (so that it can be used to
// test them), nor umoci or any container library: only the OCI spec types,
// go-digest, klauspost compression and the standard library.
package testimage
