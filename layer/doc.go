// Package layer converts between tar layers and filesystem trees: it applies
// layers to a root directory (whiteouts, hardlinks, xattrs, devices, owners,
// rootless mode) treating every entry as hostile, and generates layers from a
// tree (mtree deltas for repack, host paths for insert).
//
// It knows nothing about CAS, manifests or bundles: it must not import
// oci/*, mutate or bundle.
package layer
