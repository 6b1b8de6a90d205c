// Package layer converts between tar layers and filesystem trees: it applies
// layers to a root directory (whiteouts, hardlinks, xattrs, devices, owners,
// rootless mode) treating every entry as hostile, and generates layers from a
// tree (mtree deltas for repack, host paths for insert).
//
// Unpacking (unpack*.go) resolves every path inside the root through
// internal/pathsafe (chroot semantics) and does all rootfs I/O through
// internal/fseval, so rootless mode is one FsEval away. GNU sparse entries
// are written with holes within a per-layer budget (unpack_sparse.go), so a
// tiny layer cannot fill the disk with zeros. Shared helpers other files may
// reuse: XattrNeverApplied (xattrs never extracted nor packed), DigestCache
// (file digests by inode), ErrBreakout.
//
// tree*.go applies layers to an in-memory tree of metadata and content
// digests with the same semantics as UnpackLayer (an oracle test and a
// fuzz target hold them together) and diffs two such trees, for
// `lade diff`.
//
// It knows nothing about CAS, manifests or bundles: it must not import
// oci/*, mutate or bundle.
package layer
