// Package mutate edits an OCI image reached through a descriptor path
// (index.json entry → nested indexes → manifest) and writes the result back.
//
// A [Mutator] caches the manifest and image config of the path's target,
// lets callers replace the config and metadata ([Mutator.Set]) or append a
// layer from an uncompressed tar stream ([Mutator.Add]), and on
// [Mutator.Commit] stores the new config and manifest blobs and rewrites
// every parent index on the path so it points at them. The caller tags the
// new root descriptor (casext.Engine.UpdateReference).
//
// Nothing the image already had is dropped silently: platform variant,
// os.version and os.features, manifest subject and artifactType, layer and
// config descriptor annotations, and the other fields of every rewritten
// parent descriptor are kept.
//
// A Docker v2s2 image (Docker manifest, config and layer media types, under
// an OCI index or a Docker manifest list) is edited like an OCI one and
// committed in OCI form: see [Mutator.Commit].
//
// This package owns no CLI concerns and must not import cmd/..., urfave/cli,
// layer or bundle; it builds only on oci/cas, oci/casext and oci/compress.
package mutate
