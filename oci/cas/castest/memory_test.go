package castest

import (
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

func TestMemory(t *testing.T) {
	Run(t, func(t *testing.T) Harness {
		m := NewMemory().(*memEngine)
		return Harness{
			Engine:   m,
			Reopen:   func(*testing.T) cas.Engine { return m.reopen(false) },
			ReadOnly: func(*testing.T) cas.Engine { return m.reopen(true) },
			Corrupt:  func(_ *testing.T, d digest.Digest, data []byte) { m.corrupt(d, data) },
		}
	})
}
