// Package unpriv lets an unprivileged user operate on a tree they own whose
// permission bits would otherwise lock them out (directories with mode 000 or
// without the write bit, as container images routinely contain). Each helper
// first tries the operation as is; only on EACCES/EPERM does it temporarily
// grant the owner rwx on the path's ancestors (and, where needed, the path
// itself), retry, and restore the original modes. Modes of paths the caller
// does not own cannot be changed and are left alone.
//
// Every helper is bounded by a root: only root itself and directories below
// it are ever chmodded, never an ancestor of root (the bundle's parent, the
// user's home), and never anything reached through a symlink below root. A
// path outside root gets no help at all. An empty root helps nothing.
//
// Grants are shared by every goroutine of the process and reference
// counted: parallel walkers and hashers in one locked directory keep it open
// until the last of them is done, then its mode is restored.
//
// It must not import anything from lade except internal/system.
package unpriv
