// Package dirimage is lade's dir: transport: skopeo's directory format
// for one image or index, source and destination.
//
// A dir: directory holds
//
//	version               "Directory Transport Version: 1.1\n"
//	manifest.json         the top manifest or index, its exact bytes
//	<hex>.manifest.json   with an index: each instance manifest
//	<hex>                 every other blob (configs, layers), by the hex of its digest
//
// The source reads such a directory (the version file is not required, as
// skopeo 1.9 does not require it) and verifies every blob against its
// digest and size while it streams. The destination writes into an
// existing directory, as skopeo does, so that the directory keeps its
// inode, owner and mode and may be a mount point or sit in a directory the
// user may not write: files are staged in a ".lade-tmp-stage-*"
// subdirectory (every file fsynced) and, at Commit, moved in so that the
// directory holds a whole image, old or new, at every moment: version, the
// blobs, then manifest.json (the switch), then the old files are deleted
// (commit.go). A missing directory is staged next to its path and renamed
// into place. Like skopeo it writes only into an empty directory or one
// with a version file. Layers are stored as they come (PreserveCompression)
// and any manifest type is accepted.
//
// It imports no other transport.
package dirimage
