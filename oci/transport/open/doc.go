// Package open opens an image name of any transport as a copy source or
// destination: it is the one place that knows every concrete transport
// (oci/registry for docker://, oci/transport/layout for oci:, oci-archive:
// and docker-archive: sources, oci/transport/dockerarchive for
// docker-archive: destinations, oci/transport/dirimage for dir:).
//
// It must not import oci/imagecopy, layer, mutate, bundle or cmd.
package open
