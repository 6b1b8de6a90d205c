package unpriv

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestConcurrentGrants: goroutines reading files in the same mode-000
// directory at once all succeed (one restoring the mode must not pull it
// from under another), and the mode is 000 again afterwards.
func TestConcurrentGrants(t *testing.T) {
	if asNobody(t) {
		return
	}
	root := t.TempDir()
	t.Cleanup(func() { _ = RemoveAll(root, root) })
	locked := filepath.Join(root, "locked")
	if err := os.Mkdir(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	const files = 300
	for i := range files {
		if err := os.WriteFile(filepath.Join(locked, fmt.Sprint(i)), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, files)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < files; i += 8 {
				p := filepath.Join(locked, fmt.Sprint(i))
				errs <- WrapSelf(root, p, func(p string) error { _, err := os.ReadFile(p); return err })
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent read: %v", err)
		}
	}
	fi, err := os.Lstat(locked)
	if err != nil || fi.Mode().Perm() != 0 {
		t.Fatalf("locked mode after = %v, %v", fi.Mode(), err)
	}
}
