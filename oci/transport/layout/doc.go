// Package layout is lade's oci:, oci-archive: and docker-archive: (as a
// source) transports, over the image stores lade already has: oci/cas/dir
// for an OCI image layout directory, oci/cas/archive for an OCI archive or
// a "docker save" / skopeo docker-archive tar read in place, with
// oci/casext on top.
//
// Names follow skopeo 1.9:
//
//   - oci:PATH[:TAG], oci-archive:PATH[:TAG] as a source: the index.json entry
//     tagged TAG (org.opencontainers.image.ref.name); without TAG the index
//     must hold exactly one image.
//   - docker-archive:PATH[:NAME:TAG|:@N] as a source: the manifest.json entry
//     with the RepoTag NAME:TAG (both sides normalized as docker does:
//     "busybox:latest" is "docker.io/library/busybox:latest"), the N-th entry
//     (from 0), or without either the only entry.
//   - oci:PATH[:TAG] as a destination: the layout is created when PATH does not
//     exist (dir.Create; its parent must exist and be writable) or is an
//     empty directory (dir.CreateIn, in place), or added to: blobs are stored
//     atomically by the dir backend, and Commit points TAG at the image under
//     index.json's lock (other tags kept; the entries of TAG replaced), or,
//     without TAG, adds an untagged entry (one per digest). A copy that fails
//     into a layout it created removes that layout.
//   - oci-archive:PATH[:TAG] as a destination: PATH is replaced by an archive
//     holding only the copied image, assembled from staged blobs into a
//     temporary file next to it at Commit, fsynced and renamed over it, or,
//     for a file that cannot be replaced by rename (a mount point, in a
//     directory the user may not write), rewritten in place (see
//     localfs.Output.Prepare).
//
// Sources verify every blob while it streams (digest and size). It imports
// no other transport.
package layout
