package mtreeutil

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vbatts/go-mtree"
	"golang.org/x/sys/unix"
)

// TestDiffCachedMetadataChanges checks that a file the stat cache knows
// still shows every metadata change: each edit below sets ctime, so the
// cache stops vouching for the file and Diff with a cache agrees with
// mtree.Check.
func TestDiffCachedMetadataChanges(t *testing.T) {
	for _, tc := range []struct {
		name string
		root bool
		edit func(t *testing.T, root string)
		want string // a substring of one delta
	}{
		{name: "chmod", edit: func(t *testing.T, root string) {
			must(t, unix.Chmod(filepath.Join(root, "etc/passwd"), 0o600))
		}, want: "etc/passwd"},
		{name: "xattr", edit: func(t *testing.T, root string) {
			if err := unix.Lsetxattr(filepath.Join(root, "etc/passwd"), "user.lade", []byte("v"), 0); err != nil {
				t.Skipf("no user xattrs here: %v", err)
			}
		}, want: "etc/passwd"},
		{name: "chown", root: true, edit: func(t *testing.T, root string) {
			must(t, unix.Lchown(filepath.Join(root, "etc/passwd"), 1, 1))
		}, want: "etc/passwd"},
		{name: "new hardlink changes nlink", edit: func(t *testing.T, root string) {
			must(t, os.Link(filepath.Join(root, "etc/passwd"), filepath.Join(root, "etc/passwd-")))
		}, want: "etc/passwd "},
		{name: "mtime", edit: func(t *testing.T, root string) {
			old := time.Unix(1_000_000_000, 0)
			must(t, os.Chtimes(filepath.Join(root, "etc/passwd"), old, old))
		}, want: "etc/passwd"},
		{name: "same-size rewrite, mtime put back", edit: func(t *testing.T, root string) {
			p := filepath.Join(root, "etc/passwd")
			fi, err := os.Lstat(p)
			must(t, err)
			data, err := os.ReadFile(p)
			must(t, err)
			data[0] ^= 1
			must(t, os.WriteFile(p, data, 0o644))
			must(t, os.Chtimes(p, fi.ModTime(), fi.ModTime()))
		}, want: "etc/passwd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root && os.Geteuid() != 0 {
				t.Skip("needs root")
			}
			root := variedTree(t)
			manifest, cache := snapshot(t, root)
			tc.edit(t, root)
			got, err := Diff(t.Context(), root, manifest, DiffOptions{Cache: cache})
			if err != nil {
				t.Fatal(err)
			}
			check, err := mtree.Check(root, manifest, Keywords, nil)
			if err != nil {
				t.Fatal(err)
			}
			SortDeltas(check)
			g, c := deltaStrings(got), deltaStrings(check)
			if !slices.Equal(g, c) {
				t.Fatalf("Diff with cache %q, mtree.Check %q", g, c)
			}
			if !slices.ContainsFunc(g, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Fatalf("deltas %q miss %q", g, tc.want)
			}
		})
	}
}

// TestDiffCachedFileSkipsKeywords proves that a file the cache vouches for
// is not looked at beyond its lstat: with a doctored mode in the manifest,
// Diff with the cache reports nothing for it (mtree.Check, the control,
// does), and once the file's ctime moves the doctored mode shows up.
func TestDiffCachedFileSkipsKeywords(t *testing.T) {
	root := variedTree(t)
	manifest, cache := snapshot(t, root)
	doctorKeyword(t, manifest, "hello.txt", "mode", "0600")

	check, err := mtree.Check(root, manifest, Keywords, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(check) != 1 {
		t.Fatalf("mtree.Check found %q, want the doctored mode (control)", deltaStrings(check))
	}
	got, err := Diff(t.Context(), root, manifest, DiffOptions{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("cached file was re-examined: %q", deltaStrings(got))
	}
	must(t, unix.Chmod(filepath.Join(root, "hello.txt"), 0o644)) // same mode, new ctime
	got, err = Diff(t.Context(), root, manifest, DiffOptions{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	if g := deltaStrings(got); len(g) != 1 || !strings.HasPrefix(g[0], "modified hello.txt [modified:mode:0600") {
		t.Fatalf("after chmod: %q, want the mode of hello.txt", g)
	}
}

// doctorKeyword sets keyword kw of rel's manifest entry to value.
func doctorKeyword(t *testing.T, dh *mtree.DirectoryHierarchy, rel, kw, value string) {
	t.Helper()
	for i, e := range dh.Entries {
		if p, err := e.Path(); err != nil || p != rel || (e.Type != mtree.RelativeType && e.Type != mtree.FullType) {
			continue
		}
		for j, kv := range e.Keywords {
			if kv.Keyword().Prefix() == mtree.Keyword(kw) {
				dh.Entries[i].Keywords[j] = mtree.KeyVal(kw + "=" + value)
				return
			}
		}
		dh.Entries[i].Keywords = append(dh.Entries[i].Keywords, mtree.KeyVal(kw+"="+value))
		return
	}
	t.Fatalf("no entry for %s in manifest", rel)
}
