// Package localfs holds what lade's local transports (oci:, oci-archive:,
// docker-archive:, dir:) share about files on disk:
//
//   - Resolve: a user-named path made explicit the way skopeo does it
//     (absolute, symbolic links resolved; only the last component may be
//     missing, a missing parent is an error).
//   - Stage: a private temporary directory next to a destination
//     (".lade-tmp-<name>-*", NewStage) or inside a destination directory
//     (".lade-tmp-stage-*", NewStageIn) into which blobs are written
//     verified against their descriptor (digest and size), so that nothing
//     unverified is ever stored under a digest, and which Remove discards as
//     a whole. A stage is flocked while it lives; the next stage for the same
//     destination removes the ones of killed processes (CleanStale,
//     CleanStaleStages).
//   - Output: an archive file. Prepare decides, before any blob is copied,
//     how it is written: a temporary file next to it, fsynced and renamed
//     over it (atomic); or, for an existing file that cannot be replaced by
//     rename (a mount point, a file in a directory this process may not
//     write), rewritten in place (not atomic: space checked first, the file
//     emptied, then written and fsynced; flocked against lade readers); or,
//     for a special file such as /dev/stdout, written through.
//   - SyncDir: fsync of a directory, to make a rename in it durable.
//
// It imports no other transport: each transport package uses it on its own.
package localfs
