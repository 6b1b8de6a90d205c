package dir

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/castest"
	"github.com/opencontainers/go-digest"
)

// newLayout creates an empty layout in a fresh temp dir.
func newLayout(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "layout")
	if err := Create(t.Context(), root); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return root
}

// mustOpen opens root and closes the engine when the test ends. It uses a
// background context so it can be called from goroutines that outlive a
// subtest's context checks.
func mustOpen(t *testing.T, root string) cas.Engine {
	t.Helper()
	e, err := Open(context.Background(), root)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// makeReadOnly removes write permission from the layout's directories until
// the test ends.
func makeReadOnly(t *testing.T, root string) {
	t.Helper()
	dirs := []string{blobDir(root), filepath.Join(root, blobsDir), root}
	for _, d := range dirs {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, d := range dirs {
			_ = os.Chmod(d, 0o755)
		}
	})
}

func TestConformance(t *testing.T) {
	castest.Run(t, func(t *testing.T) castest.Harness {
		root := newLayout(t)
		h := castest.Harness{
			Engine: mustOpen(t, root),
			Reopen: func(t *testing.T) cas.Engine { return mustOpen(t, root) },
			Corrupt: func(t *testing.T, d digest.Digest, data []byte) {
				p, err := blobPath(root, d)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
			},
		}
		// As root, permissions do not stop writes in-process;
		// TestReadOnlyLayout covers root by dropping to another uid.
		if os.Geteuid() != 0 {
			h.ReadOnly = func(t *testing.T) cas.Engine {
				makeReadOnly(t, root)
				return mustOpen(t, root)
			}
		}
		return h
	})
}
