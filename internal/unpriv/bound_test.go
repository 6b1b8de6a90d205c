package unpriv

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestChain(t *testing.T) {
	tests := []struct {
		root, path string
		want       []string
		ok         bool
	}{
		{"/r", "/r", nil, true},
		{"/r", "/r/a", []string{"/r"}, true},
		{"/r/", "/r/a/b/c", []string{"/r", "/r/a", "/r/a/b"}, true},
		{"/r", "/r/a/../b", []string{"/r"}, true},
		{"/r", "/", nil, false},
		{"/r", "/rx/a", nil, false},
		{"/r", "/r/../x", nil, false},
		{"/r/a", "/r", nil, false},
		{"", "/r/a", nil, false},
		{"/", "/a/b", []string{"/", "/a"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.root+"|"+tt.path, func(t *testing.T) {
			got, ok := chain(tt.root, tt.path)
			if ok != tt.ok || !slices.Equal(got, tt.want) {
				t.Fatalf("chain = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

type stamp struct {
	mode  os.FileMode
	ctime syscall.Timespec
}

func stampOf(t *testing.T, p string) stamp {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return stamp{fi.Mode(), fi.Sys().(*syscall.Stat_t).Ctim}
}

// TestBoundedByRoot: with root below a read-only directory and symlinks in
// root leading to locked directories outside it, every helper works inside
// root but never changes the mode or ctime of anything outside it (a
// chmod-and-restore would change the ctime even when the mode comes back).
func TestBoundedByRoot(t *testing.T) {
	if asNobody(t) {
		return
	}
	base := t.TempDir()
	outer, elsewhere := filepath.Join(base, "outer"), filepath.Join(base, "elsewhere")
	root := filepath.Join(outer, "root")
	locked, inner := filepath.Join(root, "locked"), filepath.Join(root, "locked", "inner")
	for _, d := range []string{inner, filepath.Join(elsewhere, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(elsewhere, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, p := range []string{outer, elsewhere, filepath.Join(elsewhere, "sub")} {
			_ = os.Chmod(p, 0o755)
		}
		_ = RemoveAll(base, base)
	})
	// Innermost first: a locked parent would stop the chmod of its child.
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{inner, 0}, {locked, 0}, {filepath.Join(elsewhere, "sub"), 0}, {elsewhere, 0o500}, {outer, 0o500}} {
		if err := os.Chmod(c.path, c.mode); err != nil {
			t.Fatal(err)
		}
	}
	outside := []string{base, outer, elsewhere, filepath.Join(elsewhere, "sub")}
	before := map[string]stamp{}
	for _, p := range outside {
		before[p] = stampOf(t, p)
	}
	time.Sleep(50 * time.Millisecond) // a later chmod gets a later ctime

	write := func(p string) func(string) error {
		return func(string) error { return os.WriteFile(p, []byte("y"), 0o644) }
	}
	if err := WrapSelf(root, inner, write(filepath.Join(inner, "new"))); err != nil {
		t.Fatalf("WrapSelf inside root: %v", err)
	}
	if err := Wrap(root, filepath.Join(inner, "new"), func(p string) error { _, err := os.Lstat(p); return err }); err != nil {
		t.Fatalf("Wrap inside root: %v", err)
	}
	if err := WrapSelf(root, root, write(filepath.Join(root, "top"))); err != nil {
		t.Fatalf("WrapSelf on root: %v", err)
	}
	denied := []struct {
		name string
		run  func() error
	}{
		{"root's parent", func() error { return WrapSelf(root, outer, write(filepath.Join(outer, "x"))) }},
		{"sibling of root", func() error { return Wrap(root, filepath.Join(outer, "x"), write(filepath.Join(outer, "x"))) }},
		{"through symlink", func() error {
			p := filepath.Join(root, "link", "sub", "x")
			return WrapSelf(root, filepath.Join(root, "link", "sub"), write(p))
		}},
		{"remove outside", func() error { return RemoveAll(root, filepath.Join(elsewhere, "sub")) }},
	}
	for _, tt := range denied {
		if err := tt.run(); !errors.Is(err, os.ErrPermission) {
			t.Errorf("%s: %v, want permission denied", tt.name, err)
		}
	}
	if err := RemoveAll(root, locked); err != nil {
		t.Fatalf("RemoveAll inside root: %v", err)
	}
	for _, p := range outside {
		if got := stampOf(t, p); got != before[p] {
			t.Errorf("%s changed: %+v -> %+v", p, before[p], got)
		}
	}
}
