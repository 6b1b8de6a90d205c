package dir

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCreateContent(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	root := filepath.Join(t.TempDir(), "a", "b", "layout")
	if err := Create(t.Context(), root); err != nil {
		t.Fatalf("Create: %v", err)
	}
	files := map[string]string{
		layoutFile: `{"imageLayoutVersion":"1.0.0"}` + "\n",
		indexFile:  `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}` + "\n",
	}
	for name, want := range files {
		p := filepath.Join(root, name)
		got, err := os.ReadFile(p)
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
		if fi, err := os.Stat(p); err != nil || fi.Mode() != 0o644 {
			t.Errorf("%s mode %v, %v; want 0644", name, fi.Mode(), err)
		}
	}
	for _, d := range []string{filepath.Dir(filepath.Dir(root)), filepath.Dir(root), root, filepath.Join(root, blobsDir), blobDir(root)} {
		fi, err := os.Stat(d)
		if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %v, %v; want dir 0755", d, fi.Mode(), err)
		}
	}
	entries, err := os.ReadDir(root)
	if err != nil || len(entries) != 3 {
		t.Errorf("layout has %d entries (%v), want 3", len(entries), err)
	}
	if entries, err := os.ReadDir(blobDir(root)); err != nil || len(entries) != 0 {
		t.Errorf("blobs/sha256 has %d entries (%v), want 0", len(entries), err)
	}
	e := mustOpen(t, root)
	if idx, err := e.GetIndex(t.Context()); err != nil || len(idx.Manifests) != 0 {
		t.Fatalf("GetIndex = %+v, %v", idx, err)
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	tests := []struct {
		name string
		make func(path string) error
	}{
		{"file", func(p string) error { return os.WriteFile(p, []byte("keep"), 0o644) }},
		{"empty dir", func(p string) error { return os.Mkdir(p, 0o755) }},
		{"layout", func(p string) error { return Create(t.Context(), p) }},
		{"dangling symlink", func(p string) error { return os.Symlink("/nonexistent/target", p) }},
		{"symlink to dir", func(p string) error { return os.Symlink(filepath.Dir(p), p) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "layout")
			if err := tc.make(p); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Lstat(p)
			err := Create(t.Context(), p)
			if !errors.Is(err, fs.ErrExist) {
				t.Fatalf("Create error %v, want fs.ErrExist", err)
			}
			if want := "create layout: " + p + " already exists"; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
			after, err := os.Lstat(p)
			if err != nil || after.Mode() != before.Mode() || after.ModTime() != before.ModTime() {
				t.Errorf("existing %s was touched", tc.name)
			}
		})
	}
}

func TestCreateErrors(t *testing.T) {
	t.Run("parent is a file", func(t *testing.T) {
		parent := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(parent, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		err := Create(t.Context(), filepath.Join(parent, "sub", "layout"))
		if err == nil || !strings.HasPrefix(err.Error(), "create layout: ") {
			t.Fatalf("Create error %v", err)
		}
	})
	t.Run("empty path", func(t *testing.T) {
		if err := Create(t.Context(), ""); err == nil {
			t.Fatal("Create(\"\") succeeded")
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "layout")
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := Create(ctx, p); err == nil {
			t.Fatal("Create with cancelled context succeeded")
		}
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("cancelled Create left %s: %v", p, err)
		}
	})
}

// TestCreateLeavesNoTemporaryDirectory: the layout is built aside and
// renamed into place; nothing else is left next to it, and an existing
// empty directory is not replaced.
func TestCreateLeavesNoTemporaryDirectory(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "layout")
	if err := Create(t.Context(), root); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(parent)
	if err != nil || len(entries) != 1 || entries[0].Name() != "layout" {
		t.Fatalf("parent holds %v (%v), want only the layout", entries, err)
	}
	empty := filepath.Join(parent, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Create(t.Context(), empty); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over an empty directory: %v, want ErrExist", err)
	}
	if err := renameNoReplace(root, empty); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("renameNoReplace onto an empty directory: %v, want ErrExist", err)
	}
}
