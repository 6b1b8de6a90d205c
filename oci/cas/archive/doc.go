// Package archive is the cas.Engine over an OCI image layout stored in a tar
// archive, read and written in place: what `skopeo copy ...
// oci-archive:img.tar`, `podman save --format oci-archive`, `buildah push
// ... oci-archive:` and `docker save` (Docker 25 and later) write; and the
// read-only engine over the legacy image archive of `docker save` before
// Docker 25 and `skopeo copy ... docker-archive:`.
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
//   - In an archive with an oci-layout, every member other than oci-layout,
//     index.json and blobs/sha256/<hex> (Docker's manifest.json and
//     repositories, directories, legacy layer paths, ...) is ignored.
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
// Legacy archives. An archive with no oci-layout member but a top-level
// manifest.json (a JSON array of {"Config", "RepoTags", "Layers"}) is read
// as a legacy archive (legacy*.go). Open then streams every member that
// manifest.json names through sha256, once per content however many images
// name it (about 0.9 s per GiB of layers from the page cache), and serves:
//   - each config member as a blob of its digest, media type
//     application/vnd.docker.container.image.v1+json. A config named
//     "<64 hex>.json" (as Docker and skopeo name it) must have that digest.
//   - each layer member as a blob of its digest, media type
//     application/vnd.docker.image.rootfs.diff.tar, or .tar.gzip / .tar.zstd
//     when its content starts with the gzip / zstd magic number. For an
//     uncompressed layer the digest is the diff_id, so Open checks it
//     against the config's rootfs.diff_ids (and their count against the
//     layers'); a compressed layer's diff_id is left to unpack.
//   - one synthesized Docker v2s2 manifest per manifest.json entry, held in
//     memory; the same entry always gives the same bytes and digest.
//   - an index with one entry per RepoTag whose
//     org.opencontainers.image.ref.name is the RepoTag exactly as written
//     ("busybox:latest"; skopeo writes "docker.io/library/busybox:latest"):
//     no "latest" or short-name alias is invented. An entry without
//     RepoTags is named by the hex of its config digest. A tag naming two
//     different images is refused; the same image listed twice is one entry.
//     LayerSources and unknown keys are ignored; "repositories", Docker's
//     <id>/json and VERSION files and every unnamed member are ignored.
//
// Member names in manifest.json follow the archive rules above (cleaned, no
// absolute or ".." names); a named member that is missing, appears twice,
// or is not a regular file (or a hard link to one) fails Open. A named
// member that is a symbolic link is resolved inside the archive, never
// through the file system, because Docker stores a layer that appears twice
// as "<id>/layer.tar -> ../<other-id>/layer.tar": the target must be
// relative and stay inside the archive, 8 links at most. Only the members
// manifest.json names are listed by ListBlobs (blobs/sha256/... members
// are not). Any problem found is one line matching cas.ErrInvalid.
//
// Writing (write*.go). An OCI archive opened from a file is writable; a
// legacy archive (and an archive read from memory) is not: every write
// method fails with an error matching cas.ErrReadOnly that tells the user
// to copy it to a directory layout first (skopeo source
// docker-archive:PATH:NAME:TAG).
//   - Locks. Every engine holds a shared flock on the archive file from Open
//     to Close (Open waits while a writer holds it exclusively, and opens
//     the new file if the writer replaced it meanwhile). The first write
//     method (PutBlob, DeleteBlob, PutIndex, UpdateIndex, LockExclusive,
//     Clean) converts it to an exclusive flock, waiting for every other
//     engine on the archive to close: two lade processes never write the
//     same archive at once, and a writer never replaces an archive under a
//     reader. The conversion drops the shared lock while it waits, so
//     another writer may replace the archive meanwhile: the engine then
//     opens, locks and scans the new file and serves its index, keeping
//     blobs of the old file the new one lacks (see rescan). The file must be
//     writable by the caller (access(2)); its directory too.
//   - Changes are held until Close: new blobs in a private temporary
//     directory next to the archive (".lade-tmp-<name>-<digits>", flocked
//     while its engine lives), deletions and the index in memory. Reads see
//     them at once. PutBlob of content the archive has is a no-op; an
//     UpdateIndex whose fn changes nothing changes nothing.
//   - Close with changes builds the new archive in the temporary directory:
//     the old members byte for byte (copied by offset, copy_file_range on
//     Linux), minus index.json and deleted blobs, then the new blobs sorted
//     by digest and index.json (mode 0644, root:root, mtime
//     SOURCE_DATE_EPOCH or the Unix epoch), then the end marker. It scans
//     the result like Open and checks it holds exactly the engine's blobs
//     and index, gives it the old file's mode (and owner, as root), fsyncs
//     it, renames it over the archive (through a symbolic link: over its
//     target) and fsyncs the directory. Any failure leaves the old archive;
//     a crash leaves at most a temporary directory, which the next writer
//     (or Clean) removes when no live process holds its flock. Without
//     changes the archive file is not touched. A hard-linked archive loses
//     its other names' sharing (they keep the old content).
//   - Members other than the layout's (Docker's manifest.json, legacy layer
//     paths) are copied unchanged, and may go stale. DeleteBlob (so gc)
//     keeps a blob that one of them names: the Config and Layers of a
//     top-level manifest.json, and the target of a symbolic or hard link
//     member outside the layout (write_pins.go). Dropping it would break
//     docker load and leave links that tar -x fails on; such a blob stays
//     readable and listed, so gc may count it as removed.
//   - The temporary directory name holds the archive name cut to 64 bytes
//     (a longer one: 47 bytes, "~" and 16 hex digits of its SHA-256), so
//     any archive name fits in NAME_MAX.
//
// It must not import oci/casext (its mediatype package, pure strings, is
// fine), oci/cas/dir or any package above oci/cas (layer, mutate, bundle,
// cmd); only its tests use oci/cas/dir, to check that both backends read the
// same layout alike.
package archive
