// Package archive is the read-only cas.Engine over an OCI image layout stored
// in a tar archive: what `skopeo copy ... oci-archive:img.tar`, `podman save
// --format oci-archive`, `buildah push ... oci-archive:` and `docker save`
// (Docker 25 and later) write.
//
// Open scans the tar headers once, seeking past member content, and records
// where oci-layout, index.json and every blobs/sha256/<hex> member live in the
// file. Reads are then positional (io.SectionReader over the open file), so
// any number of goroutines may read blobs at once; nothing is ever extracted
// to disk. Every blob read is verified against its digest like the directory
// backend does, so an archive rewritten in place while it is open makes
// reads fail with cas.ErrDigestMismatch, never return other bytes; index.json
// is read once at Open and served from memory (it has no digest to check).
//
// Archive rules, decided here and relied on by callers:
//   - Compressed archives (gzip, zstd, bzip2, xz magic) are refused: decompress
//     them first.
//   - Member names are cleaned ("./index.json" is "index.json") and then
//     matched exactly. An archive with an absolute member name, or one with a
//     ".." element (in a name or a hard link target), is refused as a whole.
//   - Every member other than oci-layout, index.json and blobs/sha256/<hex>
//     (Docker's manifest.json and repositories, directories, legacy layer
//     paths, ...) is ignored.
//   - A hard link member is resolved to the regular member it names, which
//     must come earlier in the archive (GNU tar writes files sharing an
//     inode that way). A layout member that is a symbolic link, a device, a
//     FIFO, a sparse file or a hard link to nothing fails to read with
//     cas.ErrInvalid: links are never followed through the file system.
//   - A layout member that appears twice is refused (extraction tools
//     disagree on which copy wins, so the archive is ambiguous).
//   - A member whose content would extend past the end of the file, a
//     corrupt header, or a missing end-of-archive marker (two zero blocks)
//     means the archive is truncated or corrupt, and it is refused.
//
// Every write method fails with an error matching cas.ErrReadOnly that tells
// the user to copy the archive to a directory layout first.
//
// It must not import oci/casext, oci/cas/dir or any package above oci/cas
// (layer, mutate, bundle, cmd); only its tests use oci/cas/dir, to check
// that both backends read the same layout alike.
package archive
