// Package dir is the OCI image-layout directory backend of cas.Engine.
//
// It owns everything that touches a layout on disk: creating one (Create,
// which builds it in a flocked .lade-tmp-init-* directory next to the path
// and renames it into place; CreateIn, in an existing empty directory),
// opening and validating one (Open), the digest → blob path mapping (one
// validating function, blobPath), crash-safe writes (temp file
// PATH/.lade-tmp-*, fsync, chmod 0o644, rename, fsync of the directory;
// blobs/sha256 is synced once for the blobs stored before an index write
// and at Close, rather than after each blob),
// inter-process locking with flock (a shared lock on blobs/ for each open
// engine, an exclusive lock on the layout directory for UpdateIndex), read-only
// layouts (cas.ErrReadOnly) and, when running as root, chowning what it
// creates to the owner of the layout.
//
// It knows nothing about references, walking or garbage collection: those
// live in oci/casext on top of the cas.Engine interface. It must not import
// oci/casext or any package above it.
package dir
