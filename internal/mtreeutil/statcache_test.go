package mtreeutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStatCacheFile(t *testing.T) {
	root := variedTree(t)
	_, cache := snapshot(t, root)
	fi, err := os.Lstat(filepath.Join(root, "usr/share/doc/a b\tc"))
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := cache.lookup("usr/share/doc/a b\tc", fi); !ok || d.Validate() != nil {
		t.Errorf("odd name not found after reload: %v %v", d, ok)
	}
	if _, ok := cache.lookup("usr", fi); ok {
		t.Error("lookup of an unknown path succeeded")
	}

	tests := []struct {
		name, data, wantErr string
	}{
		{name: "bad magic", data: "something else\n", wantErr: "unknown format"},
		{name: "empty", data: "", wantErr: "unknown format"},
		{name: "short line", data: statCacheMagic + "\n1 2 3\n", wantErr: "line 2: want 7 fields"},
		{name: "bad number", data: statCacheMagic + "\n1 x 3 4 5 " + strings.Repeat("a", 64) + " f\n", wantErr: "parse field 2"},
		{name: "negative size", data: statCacheMagic + "\n1 2 -3 4 5 " + strings.Repeat("a", 64) + " f\n", wantErr: "parse field 3"},
		{name: "bad digest", data: statCacheMagic + "\n1 2 3 4 5 zz f\n", wantErr: "parse digest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.WriteFile(filepath.Join(dir, StatCacheName), []byte(tc.data), 0o600))
			c, err := LoadStatCache(t.Context(), dir)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			if c == nil || c.Len() != 0 {
				t.Errorf("corrupt cache not replaced by an empty one")
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		c, err := LoadStatCache(t.Context(), t.TempDir())
		if err != nil || c.Len() != 0 {
			t.Fatalf("missing cache: %v, %d entries", err, c.Len())
		}
	})
	t.Run("save leaves no temp files", func(t *testing.T) {
		dir := t.TempDir()
		must(t, SaveStatCache(t.Context(), dir, NewStatCache()))
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) != 1 || entries[0].Name() != StatCacheName {
			t.Fatalf("bundle holds %v (%v)", entries, err)
		}
	})
}

// TestStatCacheRacy checks that files whose ctime is not older than the
// cache file are never trusted.
func TestStatCacheRacy(t *testing.T) {
	root := variedTree(t)
	rec := NewStatCache()
	if _, err := Walk(t.Context(), root, WalkOptions{Record: rec}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(root, "hello.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.lookup("hello.txt", fi); ok {
		t.Error("unsaved cache trusted")
	}
	rec.saved = fi.ModTime().Add(-1) // cache older than the file's ctime
	if _, ok := rec.lookup("hello.txt", fi); ok {
		t.Error("racily clean entry trusted")
	}
}

func TestManifestReadWrite(t *testing.T) {
	root := variedTree(t)
	dh, err := Walk(t.Context(), root, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sha256_x.mtree")
	must(t, WriteManifest(t.Context(), path, dh))
	if err := WriteManifest(t.Context(), path, dh); !errors.Is(err, os.ErrExist) {
		t.Errorf("second write: %v, want exist error", err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&^0o644 != 0 {
		t.Errorf("mode %v (%v)", fi.Mode(), err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"#          user: ", "#       machine: ", "#          tree: " + root, "#          date: ",
		"#      keywords: size,type,uid,gid,mode,link,nlink,tar_time,sha256digest,xattr\n"} {
		if !strings.Contains(string(data), h) {
			t.Errorf("header lacks %q", h)
		}
	}
	back, err := ReadManifest(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	deltas, err := Diff(t.Context(), root, back, DiffOptions{})
	if err != nil || len(deltas) != 0 {
		t.Errorf("re-read manifest differs from tree: %q %v", deltaStrings(deltas), err)
	}
	if _, err := ReadManifest(t.Context(), filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing manifest read")
	}
}
