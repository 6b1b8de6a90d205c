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
// digest and size while it streams. The destination writes the whole
// directory in a sibling temporary directory (every file fsynced) and, at
// Commit, puts it in place at once: renamed to the path, or exchanged with
// the existing directory (renameat2 RENAME_EXCHANGE), which is then
// removed. Like skopeo it replaces only an empty directory or one with a
// version file. Layers are stored as they come (PreserveCompression) and
// any manifest type is accepted.
//
// It imports no other transport.
package dirimage
