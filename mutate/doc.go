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
// parent descriptor are kept. So are JSON keys the image-spec Go structs do
// not model (Docker-era config keys such as container_config or
// config.Healthcheck, vendor extensions), at every level of the config,
// manifest and rewritten indexes whose object still exists after the
// edit: in the top-level objects, config.config, rootfs, descriptors
// (config, subject, platform), layers[] entries of a layer that is still
// there (same digest), manifests[] entries of a rewritten index, and
// history[] entries when history only grew by appending. Keys the structs
// do model are never restored (a cleared Env, a removed label or
// annotation stays removed), and map-typed fields (annotations, Labels,
// ExposedPorts, Volumes) are never merged into. Restored keys follow the
// struct's keys, sorted; a document without unknown keys is written byte
// for byte as before.
//
// A Docker v2s2 image (Docker manifest, config and layer media types, under
// an OCI index or a Docker manifest list) is edited like an OCI one and
// committed in OCI form: see [Mutator.Commit].
//
// This package owns no CLI concerns and must not import cmd/..., urfave/cli,
// layer or bundle; it builds only on oci/cas, oci/casext and oci/compress.
package mutate
