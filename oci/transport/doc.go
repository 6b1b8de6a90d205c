// Package transport names images the way skopeo does and defines what lade
// reads images from and writes them to.
//
// A [Name] is a transport and a transport-specific reference:
//
//	docker://HOST[:PORT]/REPO[:TAG|@DIGEST]   a registry (docker.io when HOST is left out)
//	oci:PATH[:TAG]                            an OCI image layout directory
//	oci-archive:PATH[:TAG]                    a tar of an OCI image layout
//	docker-archive:PATH[:NAME[:TAG]|:@INDEX]  a "docker save" tar
//	dir:PATH                                  skopeo's directory format
//
// [Parse] validates a name completely (a docker reference is normalized as
// skopeo normalizes it: "busybox" is docker.io/library/busybox:latest), so
// every transport can rely on what it is given.
//
// [Source] and [Destination] are the two sides of a copy. They deal in
// descriptors and verified bytes, and know nothing of each other: format
// conversion, recompression, parallelism and progress belong to the copy
// engine (oci/imagecopy), credentials and TLS to the registry client
// (oci/registry), opening a name to oci/transport/open.
//
// This package owns no I/O and must not import any lade package other than
// internal/*, oci/cas and oci/casext.
package transport
