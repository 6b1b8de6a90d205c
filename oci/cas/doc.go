// Package cas defines the content-addressable store interface that every
// lade layout backend implements, and the sentinel errors it returns.
//
// It owns no behaviour: the directory backend lives in [oci/cas/dir], the
// generic operations over any backend (typed parsing, refs, walking, GC) in
// [oci/casext], and the conformance suite every backend must pass in
// [oci/cas/castest].
//
// This package must not import anything from lade outside internal/.
package cas
