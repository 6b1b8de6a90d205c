package castest

import (
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// Harness is one fresh store under test plus the backend-specific hooks the
// suite needs. Run calls the factory once per subtest, so every subtest
// starts from an empty store. The suite closes every engine it is handed
// (Engine and whatever the hooks return) when the subtest ends; backends
// may close them again, Close being idempotent.
type Harness struct {
	// Engine is a writable engine on a new, empty store (an index with no
	// manifests and no blobs).
	Engine cas.Engine

	// Reopen opens another, independent engine on the same store, as a
	// second process would: it takes its own locks, so it must block while
	// another engine of the store holds LockExclusive. Required.
	Reopen func(t *testing.T) cas.Engine

	// ReadOnly opens the same store so that it cannot be written (for the
	// dir backend: a layout without write permission). Reads must work and
	// every write must fail with cas.ErrReadOnly. It may make the whole
	// store read-only, for every engine, until the subtest ends. Nil skips
	// the read-only subtest (say why in the backend's own tests, and cover
	// it there).
	ReadOnly func(t *testing.T) cas.Engine

	// Corrupt replaces the stored bytes of the existing blob d with data
	// without going through the engine, simulating on-disk corruption.
	// Required.
	Corrupt func(t *testing.T, d digest.Digest, data []byte)
}

// subtest is one named promise of the contract.
type subtest struct {
	name string
	fn   func(t *testing.T, h Harness)
}

// Run runs the conformance suite against the backend built by newHarness.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	var all []subtest
	all = append(all, blobTests...)
	all = append(all, indexTests...)
	all = append(all, lockTests...)
	for _, st := range all {
		t.Run(st.name, func(t *testing.T) {
			h := newHarness(t)
			if h.Engine == nil || h.Reopen == nil || h.Corrupt == nil {
				t.Fatal("castest: harness lacks Engine, Reopen or Corrupt")
			}
			t.Cleanup(func() { _ = h.Engine.Close() })
			st.fn(t, h)
		})
	}
}

// reopen opens a second engine through the harness and closes it at the
// end of the test.
func reopen(t *testing.T, h Harness) cas.Engine {
	t.Helper()
	e := h.Reopen(t)
	t.Cleanup(func() { _ = e.Close() })
	return e
}
