// Package dockerarchive is lade's docker-archive: destination: a tar that
// "docker load", skopeo and lade's archive backend read, written as skopeo
// 1.9 writes it, for one image (Docker v2s2 manifest, uncompressed layers
// whose digests are their diff_ids):
//
//	<diff_id hex>.tar          each layer, once
//	<config hex>.json          the image config
//	<legacy id>/layer.tar      a symbolic link to ../<diff_id hex>.tar, per layer
//	<legacy id>/VERSION        "1.0"
//	<legacy id>/json           the legacy layer config (id, parent; the top one
//	                           also a few fields of the image config)
//	manifest.json              [{"Config":..,"RepoTags":[..],"Layers":[..]}]
//	repositories               {"NAME":{"TAG":"<top legacy id>"}}
//
// Members are mode 0444 (links 0), owned by 0:0 with no user names, dated
// the Unix epoch. A legacy id is the sha256 of the layer's legacy config
// holding the layer's chain id instead of its own id (legacy.go).
// RepoTags are the destination's NAME:TAG and Options.AdditionalTags,
// fully qualified ("docker.io/library/busybox:latest").
//
// Blobs are staged in a temporary directory next to the archive; Commit
// writes the archive into a temporary file there, fsyncs it and renames it
// into place. An existing empty file that cannot be replaced by rename (a
// mount point, in a directory the user may not write) is written in place,
// and a special file such as /dev/stdout is written through (see
// localfs.Output). Like skopeo it refuses an existing non-empty file, and an
// index (several images) with transport.ErrUnsupported.
//
// Reading docker-archive: is oci/transport/layout's. It imports no other
// transport.
package dockerarchive
