// Package imagecopy copies an image, or an index of images, from any
// transport.Source to any transport.Destination, as skopeo copy does.
//
// [Copy] resolves the source, picks what to copy (by default the image of
// the host's platform out of an index, or every image with
// [MultiArchAll]), converts between the OCI and Docker v2 schema 2 formats
// when asked to or when the destination needs it, compresses, decompresses
// or recompresses layers as the destination wants, and moves the blobs in
// parallel (a bounded number at once), skipping those the destination has
// and mounting those a registry can mount from another repository. A
// transient failure (one the transport could not retry itself) is
// retried; the destination is committed last, so a failed copy leaves it
// as it was.
//
// Blobs are streamed: a layer is never held in memory. A layer whose bytes
// change (compression) is written to a temporary file first, to learn its
// digest and size before the destination is given it.
//
// The engine knows transports only through the oci/transport interfaces;
// it must not import a concrete transport (tests use the in-memory fakes
// of imagecopytest). Signature policy is the caller's business.
package imagecopy
