package mtreeutil

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vbatts/go-mtree"
	"golang.org/x/sys/unix"
)

// snapshot walks root recording a stat cache, as unpack does, and returns
// the manifest and the saved-then-loaded cache.
func snapshot(t *testing.T, root string) (*mtree.DirectoryHierarchy, *StatCache) {
	t.Helper()
	rec := NewStatCache()
	dh, err := Walk(t.Context(), root, WalkOptions{Record: rec})
	if err != nil {
		t.Fatal(err)
	}
	// Let the coarse kernel clock tick so the cache is not "racily clean".
	time.Sleep(20 * time.Millisecond)
	bundle := t.TempDir()
	if err := SaveStatCache(t.Context(), bundle, rec); err != nil {
		t.Fatal(err)
	}
	cache, err := LoadStatCache(t.Context(), bundle)
	if err != nil {
		t.Fatal(err)
	}
	if cache.Len() != rec.Len() || cache.Len() == 0 {
		t.Fatalf("cache has %d entries, recorded %d", cache.Len(), rec.Len())
	}
	return dh, cache
}

// deltaStrings renders deltas with all key differences, sorted.
func deltaStrings(deltas []mtree.InodeDelta) []string {
	var out []string
	for _, d := range deltas {
		var keys []string
		for _, k := range d.Diff() {
			old, nw := "", ""
			if k.Old() != nil {
				old = *k.Old()
			}
			if k.New() != nil {
				nw = *k.New()
			}
			keys = append(keys, fmt.Sprintf("%s:%s:%s->%s", k.Type(), k.Name(), old, nw))
		}
		slices.Sort(keys)
		out = append(out, fmt.Sprintf("%s %s [%s]", d.Type(), d.Path(), strings.Join(keys, " ")))
	}
	slices.Sort(out)
	return out
}

func TestDiffEqualsCheck(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, root string)
		want   []string // substrings of deltaStrings, in order
	}{
		{name: "no change", change: func(t *testing.T, root string) {}},
		{
			name: "same-size content change with mtime restored",
			change: func(t *testing.T, root string) {
				p := filepath.Join(root, "etc/passwd")
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				data, _ := os.ReadFile(p)
				data[0] = 'R'
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"modified etc/passwd [modified:sha256digest:"},
		},
		{
			name:   "mode change",
			change: func(t *testing.T, root string) { must(t, os.Chmod(filepath.Join(root, "hello.txt"), 0o600)) },
			want:   []string{"modified hello.txt [modified:mode:0644->0600]"},
		},
		{
			name: "owner change",
			change: func(t *testing.T, root string) {
				if os.Getuid() != 0 {
					t.Skip("needs root")
				}
				must(t, os.Lchown(filepath.Join(root, "empty"), 123, 456))
			},
			want: []string{"modified empty [modified:gid:", "modified:uid:"},
		},
		{
			name: "added and removed files",
			change: func(t *testing.T, root string) {
				must(t, os.WriteFile(filepath.Join(root, "new"), []byte("n"), 0o644))
				must(t, os.Remove(filepath.Join(root, "many/bxxxxxxxxxxxxxxxxxxxxxxxxxxx")))
			},
			want: []string{"extra new", "missing many/bxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
		},
		{
			name:   "hardlink removed changes nlink",
			change: func(t *testing.T, root string) { must(t, os.Remove(filepath.Join(root, "usr/hello-link"))) },
			want:   []string{"missing usr/hello-link", "modified hello.txt [modified:nlink:2->1]"},
		},
		{
			name: "new hardlink changes nlink",
			change: func(t *testing.T, root string) {
				must(t, os.Link(filepath.Join(root, "etc/passwd"), filepath.Join(root, "etc/passwd-")))
			},
			want: []string{"extra etc/passwd-", "modified etc/passwd [modified:nlink:1->2]"},
		},
		{
			name: "mtime change only",
			change: func(t *testing.T, root string) {
				old := time.Unix(1_000_000_000, 0)
				must(t, os.Chtimes(filepath.Join(root, "etc/passwd"), old, old))
			},
			want: []string{"modified etc/passwd [modified:tar_time:"},
		},
		{
			name:   "xattr change",
			change: func(t *testing.T, root string) { setXattr(t, filepath.Join(root, "hello.txt"), "user.greeting", "bye") },
			want:   []string{"modified hello.txt [modified:xattr.user.greeting:aGVsbG8=->Ynll]"},
		},
		{
			name: "directory replaced by a file and a new subtree",
			change: func(t *testing.T, root string) {
				must(t, os.RemoveAll(filepath.Join(root, "var/tmp")))
				must(t, os.WriteFile(filepath.Join(root, "var/tmp"), []byte("now a file"), 0o644))
				must(t, os.MkdirAll(filepath.Join(root, "opt/new/deep"), 0o750))
				must(t, os.WriteFile(filepath.Join(root, "opt/new/deep/f"), []byte("f"), 0o644))
			},
			want: []string{"extra opt", "extra opt/new", "extra opt/new/deep", "extra opt/new/deep/f", "missing var/tmp/sticky", "missing var/tmp/sticky/file", "modified var/tmp ["},
		},
		{
			name: "directory owner change",
			change: func(t *testing.T, root string) {
				if os.Getuid() != 0 {
					t.Skip("needs root")
				}
				must(t, os.Lchown(filepath.Join(root, "usr/share"), 7, 8))
			},
			want: []string{"modified usr/share [modified:gid:0->8 modified:uid:0->7]"},
		},
		{
			name: "symlink retargeted",
			change: func(t *testing.T, root string) {
				p := filepath.Join(root, "usr/passwd-link")
				must(t, os.Remove(p))
				must(t, os.Symlink("../etc/group", p))
			},
			want: []string{"modified usr/passwd-link [", "modified:link:../etc/passwd->../etc/group"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := variedTree(t)
			manifest, cache := snapshot(t, root)
			tc.change(t, root)
			got, err := Diff(t.Context(), root, manifest, DiffOptions{Cache: cache})
			if err != nil {
				t.Fatal(err)
			}
			want, err := mtree.Check(root, manifest, Keywords, nil)
			if err != nil {
				t.Fatal(err)
			}
			g, w := deltaStrings(got), deltaStrings(want)
			if !slices.Equal(g, w) {
				t.Fatalf("Diff != mtree.Check:\n got %q\nwant %q", g, w)
			}
			// go-mtree's walk, Diff's fallback, must agree too.
			viaWalk, err := diff(t.Context(), root, manifest, DiffOptions{Cache: cache}, diffWalk)
			if err != nil {
				t.Fatal(err)
			}
			if gw := deltaStrings(viaWalk); !slices.Equal(gw, w) {
				t.Fatalf("diff via go-mtree walk != mtree.Check:\n got %q\nwant %q", gw, w)
			}
			joined := strings.Join(g, "\n")
			pos := 0
			for _, sub := range tc.want {
				i := strings.Index(joined[pos:], sub)
				if i < 0 {
					t.Fatalf("deltas %q lack %q", g, sub)
				}
				pos += i
			}
			if len(tc.want) == 0 && len(g) != 0 {
				t.Errorf("unexpected deltas %q", g)
			}
		})
	}
}

// TestDiffReusesCachedDigest proves unchanged files are not re-read: with
// a doctored digest in both manifest and cache, Diff trusts it while
// mtree.Check (which hashes) reports a change. A touched file is re-hashed.
func TestDiffReusesCachedDigest(t *testing.T) {
	root := variedTree(t)
	manifest, cache := snapshot(t, root)
	const fake = "0000000000000000000000000000000000000000000000000000000000000000"
	for _, rel := range []string{"etc/passwd", "hello.txt"} {
		e := cache.entries[rel]
		e.digest = "sha256:" + fake
		cache.entries[rel] = e
		doctorKeyword(t, manifest, rel, "sha256digest", fake)
	}
	// Touching hello.txt changes its ctime: its cached digest must go.
	must(t, unix.Chmod(filepath.Join(root, "hello.txt"), 0o644))

	got, err := Diff(t.Context(), root, manifest, DiffOptions{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	g := deltaStrings(got)
	if len(g) != 1 || !strings.HasPrefix(g[0], "modified hello.txt [modified:sha256digest:"+fake) {
		t.Errorf("deltas = %q, want only hello.txt re-hashed", g)
	}
	check, err := mtree.Check(root, manifest, Keywords, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(check) != 2 {
		t.Errorf("mtree.Check found %d deltas, want 2 (control)", len(check))
	}
	// Without a cache Diff hashes everything, like Check.
	nocache, err := Diff(t.Context(), root, manifest, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(deltaStrings(nocache), deltaStrings(check)) {
		t.Errorf("uncached Diff %q != Check %q", deltaStrings(nocache), deltaStrings(check))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
