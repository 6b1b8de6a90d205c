// Package atomicfile replaces files so that readers see either the old file
// or the complete new one, never a partial write, and a crash leaves at most
// a temporary file behind: it writes a temp file in the target's directory,
// fsyncs it, renames it over the target and fsyncs the directory.
//
// Layout blobs and index.json are written by oci/cas/dir, which has its own
// temp-file handling tied to its locks; this package serves the files lade
// writes outside a layout (bundle metadata, config.json, the stat cache,
// exported archives). It imports only the standard library.
package atomicfile
