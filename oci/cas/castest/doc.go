// Package castest is the conformance suite every cas.Engine backend must
// pass, plus NewMemory, an in-memory engine that passes it and that other
// packages' unit tests use instead of a layout on disk.
//
// Run(t, newHarness) runs one subtest per promise of the cas.Engine
// contract; a backend supplies a Harness with the backend-specific hooks
// the suite cannot express through the interface (reopening the store as a
// second process would, opening it read-only, corrupting a stored blob).
//
// This package may import oci/cas and internal/ packages only; it must not
// import any backend (backends import it from their tests).
package castest
