// Package rootlesscontainers encodes and decodes the "user.rootlesscontainers"
// xattr that rootless tools use to remember a file's real owner. The value is
// the protobuf encoding of
//
//	message Resource { uint32 uid = 1; uint32 gid = 2; }
//
// written by hand here so lade needs no protobuf dependency. An id equal to
// NoopID means "unchanged" (the on-disk owner stands).
//
// It is a leaf package: it must import nothing from lade.
package rootlesscontainers
