package mtreeutil

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vbatts/go-mtree"
	"golang.org/x/sys/unix"
)

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
