// Package mtreeutil wraps go-mtree the way lade's bundles need it: umoci's
// keyword set, tree walks whose output is byte-compatible with umoci's
// manifests but list the tree with a parallel scan (go-mtree's own walk is
// the fallback for keyword sets the scan does not cover), hash files in
// parallel and reuse digests already known, manifest read/write, a stat
// cache that makes repack diffs skip re-hashing unchanged files, and the
// keyword handling of `raw mtree-validate`.
//
// It is a leaf helper: it must not import bundle, layer, mutate, oci/* or
// cmd/lade.
package mtreeutil
