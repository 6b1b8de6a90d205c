// Package fseval is the one door through which layer (and bundle) code
// touches a root filesystem. FsEval is a superset of go-mtree's FsEval, so
// the same value drives unpack, mtree walks and layer generation, keeping
// rootless behaviour consistent end to end (design lesson L9).
//
// Default calls the kernel directly. NewIn(root, true) is the rootless
// evaluator: it retries operations that fail with EACCES/EPERM after
// temporarily granting the owner access to the directories in the way
// (internal/unpriv), for unprivileged users working on trees containing
// mode-000 or read-only directories. It only ever touches root and what is
// below it: never an ancestor of root.
//
// It must not import layer, bundle, oci/* or cmd; only internal/system,
// internal/unpriv and go-mtree.
package fseval
