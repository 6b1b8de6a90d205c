// Package mediatype names the OCI and Docker media types lade deals with and
// classifies them: which types are indexes, manifests, image configs and
// layers, and which compression a layer type carries.
//
// It is pure string logic: it must not import anything from lade, and
// nothing beyond the standard library and image-spec.
package mediatype
