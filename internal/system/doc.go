// Package system wraps the golang.org/x/sys/unix calls lade needs that the
// os package does not offer: extended attributes (with buffer growth and
// ENOTSUP/ENODATA classification), mknod, lutimes, flock, and a thin raw-fd
// File that avoids os.File's poller registration on hot paths.
//
// It is a leaf package: it must import nothing from lade.
package system
