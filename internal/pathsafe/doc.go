// Package pathsafe resolves untrusted paths inside a root directory with
// chroot semantics, the rules an image rootfs needs:
//
//   - absolute symlinks resolve relative to the root (/etc/alternatives/x
//     stays inside), they are not refused as os.Root would;
//   - ".." clamps at the root, lexically and through symlinks;
//   - missing components and ENOTDIR are "does not exist yet" and are kept
//     lexically, so callers can create them;
//   - after a fixed number of symlinks (securejoin's limit) resolution fails
//     with ELOOP.
//
// Resolution is built on cyphar/filepath-securejoin's SecureJoinVFS, driven
// through an fseval.FsEval so rootless evaluation is used consistently, and
// every result is checked to lie lexically inside the root (ErrBreakout
// otherwise, which can only mean a bug).
//
// Threat model: the input tar and everything already in the root are
// hostile, but nobody else writes into the root while we work on it. The
// resolution is therefore NOT safe against a concurrent attacker swapping
// path components for symlinks between resolution and use (a TOCTOU race);
// for an offline unpack into a directory we just created, that is fine.
//
// It must not import layer, bundle, oci/* or cmd.
package pathsafe
