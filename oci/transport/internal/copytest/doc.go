// Package copytest drives lade's local transports in their tests: a
// minimal sequential copy loop (Resolve, walk index, manifest, config and
// layers, Fetch -> PutBlob, PutManifest, Commit, with the two conversions a
// docker-archive: destination needs: layers decompressed and an OCI
// manifest rewritten as a Docker v2s2 one) and image fixtures. It is not
// the copy engine (oci/imagecopy) and is imported only by tests.
package copytest
