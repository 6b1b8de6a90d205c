// Package unpriv lets an unprivileged user operate on a tree they own whose
// permission bits would otherwise lock them out (directories with mode 000 or
// without the write bit, as container images routinely contain). Each helper
// first tries the operation as is; only on EACCES/EPERM does it temporarily
// grant the owner rwx on the path's ancestors (and, where needed, the path
// itself), retry, and restore the original modes. Modes of paths the caller
// does not own cannot be changed and are left alone.
//
// It must not import anything from lade except internal/system.
package unpriv
