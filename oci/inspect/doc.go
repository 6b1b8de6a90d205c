// Package inspect produces what "skopeo inspect" prints, over any
// transport.Source: the image summary ([Inspect], marshalled byte for byte
// as skopeo 1.9.3 marshals it by [WriteJSON]), the top manifest as fetched
// ([Raw], --raw), and the image configuration, re-encoded as skopeo does
// ([Config], --config) or as stored ([ConfigRaw], --config --raw). [Write]
// applies skopeo's --format handling (a Go template over the same values,
// or JSON).
//
// For an index or manifest list it picks one image the way skopeo does,
// for the host's platform or the one a [Platform] overrides
// (--override-os, --override-arch, --override-variant).
//
// This package only reads through transport.Source; it imports no
// concrete transport and no lade package other than oci/transport,
// oci/casext (for the platform choice) and oci/casext/mediatype.
package inspect
