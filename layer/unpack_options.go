package layer

import "time"

// UnpackOptions configures UnpackLayer. The zero value (or nil) unpacks as
// the current user with identity id mappings, replacing symlinks that meet
// directory entries, and records no digests.
type UnpackOptions struct {
	// MapOptions maps layer owners to host owners and selects rootless mode.
	MapOptions MapOptions
	// KeepDirlinks keeps an existing symlink that resolves (inside the root)
	// to a directory when a directory entry meets it, and writes through it
	// (rsync's --keep-dirlinks).
	KeepDirlinks bool
	// Digests, when set, receives the sha256 of every regular file written.
	Digests *DigestCache
	// ImplicitDirTime, when set, is the atime and mtime of the directories
	// a layer creates without an entry of their own (missing parents).
	// Otherwise they keep the time of the extraction, as with umoci and
	// tar; callers pass SOURCE_DATE_EPOCH here for reproducible trees.
	ImplicitDirTime *time.Time
}
