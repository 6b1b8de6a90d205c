// Package hardening holds the defensive readers lade puts between untrusted
// storage and its parsers: NewVerifiedReader checks a stream against the
// digest and size it was described by.
//
// It owns the sentinel errors ErrDigestMismatch and ErrSizeMismatch (worded
// as umoci words them: "verified reader digest mismatch", "verified reader
// size mismatch"); the oci/cas package re-exports them as
// cas.ErrDigestMismatch and cas.ErrSizeMismatch so that callers test one
// value with errors.Is.
//
// This package must import only the standard library and go-digest: it sits
// below every other lade package, including oci/cas.
package hardening
