// Package pull reads an image from a registry while it is being stored in
// an OCI image layout, so that an unpack can start with the first layer
// instead of after the last: `lade unpack --image docker://...`.
//
// Open resolves the name (an index to the image for the wanted platform, as
// skopeo chooses it), reads the image manifest and starts downloading its
// config and layers into the layout, in order and a bounded number at once,
// each verified against its digest and size while it streams and stored
// atomically (a blob the layout already has is not downloaded again). The
// Session's Engine is a read-only view of the layout that holds one tag,
// the image, and whose GetBlob waits for a blob still being downloaded
// instead of failing. Commit tags the image in the layout once every blob
// is there; Close stops whatever is still running. A failed or interrupted
// pull leaves the layout valid: complete blobs, no tag.
//
// It imports oci/cas, oci/cas/dir, oci/casext and oci/transport, never a
// concrete transport (the caller opens the source), nor layer, mutate,
// bundle or cmd.
package pull
