// Package hardening holds the defensive readers lade puts between untrusted
// storage and its parsers: NewVerifiedReader checks a stream against the
// digest and size it was described by.
//
// It owns the sentinel errors ErrDigestMismatch and ErrSizeMismatch; the
// oci/cas package re-exports ErrDigestMismatch as cas.ErrDigestMismatch so
// that callers test one value with errors.Is.
//
// This package must import only the standard library and go-digest: it sits
// below every other lade package, including oci/cas.
package hardening
