// Package validate checks the invariants of an OCI image layout through a
// casext.Engine: index.json parses, every blob reachable from it is present
// with the digest and size its descriptor claims, indexes, manifests and
// configs parse, and every image's config lists one diff_id per layer.
//
// It is a checker for tests (crash safety, round trips) and diagnostics; it
// reads every reachable blob in full. It must not import oci/cas/dir,
// mutate, bundle, layer or cmd/*.
package validate
