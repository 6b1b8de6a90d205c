// Package mediatype names the OCI and Docker media types lade deals with and
// classifies them: which types are indexes, manifests, image configs and
// layers, which compression a layer type carries, and which OCI type a
// Docker type converts to.
//
// It is pure string logic: it must not import anything from lade, and
// nothing beyond the standard library and image-spec.
package mediatype
