package layertest

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// Snapshot describes every path under dir (type, mode, owner, size, mtime,
// content hash, symlink target), one line per path, sorted. Two equal
// snapshots mean nothing observable changed.
func Snapshot(tb testing.TB, dir string) string {
	tb.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		line := fmt.Sprintf("%s %v %d", rel, fi.Mode(), fi.ModTime().UnixNano())
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			line += fmt.Sprintf(" %d:%d", st.Uid, st.Gid)
		}
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += fmt.Sprintf(" %x", sha256.Sum256(b))
		case fi.Mode()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			line += " -> " + t
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		tb.Fatalf("layertest: snapshot %s: %v", dir, err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Sentinel fills dir with a small tree (files, a directory, a symlink) that
// hostile layers will try to reach, and returns its snapshot.
func Sentinel(tb testing.TB, dir string) string {
	tb.Helper()
	files := map[string]string{"passwd": "root:x:0:0", "x": "outside", "sub/file": "deep", ".wh.x": "not a whiteout"}
	for name, c := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.Symlink("passwd", filepath.Join(dir, "link")); err != nil && !os.IsExist(err) {
		tb.Fatal(err)
	}
	return Snapshot(tb, dir)
}
