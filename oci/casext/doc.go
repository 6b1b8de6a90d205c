// Package casext holds the operations lade performs on top of any
// [cas.Engine]: verified blob reads, size-capped typed parsing of OCI (and
// Docker) JSON documents, JSON blob writes, depth-first walks over indexes and
// manifests, tag resolution and editing, garbage collection, and skopeo's
// choice of one image out of an index for a platform ([ChooseIndexEntry]).
//
// Everything here uses only the cas.Engine interface: casext never knows a
// path on disk, and must not import oci/cas/dir, mutate, bundle, layer or
// cmd/*.
package casext
