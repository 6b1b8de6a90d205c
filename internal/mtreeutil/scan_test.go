package mtreeutil

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vbatts/go-mtree"
)

// ownedTree is variedTree plus directories with other owners (as root),
// which make go-mtree start new /set lines, and odd directory names.
func ownedTree(t *testing.T) string {
	t.Helper()
	root := variedTree(t)
	for _, d := range []string{"srv/a\nnewline", "srv/back\\slash/deep", "srv/#hash", "home/user/.cache"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, d, "f"), []byte(d), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if os.Getuid() == 0 {
		for _, c := range []struct {
			path     string
			uid, gid int
		}{{"home/user", 1000, 1000}, {"home/user/.cache", 1000, 1001}, {"srv/#hash", 0, 1000}} {
			if err := os.Lchown(filepath.Join(root, c.path), c.uid, c.gid); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func writeText(t *testing.T, dh *mtree.DirectoryHierarchy) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := dh.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestScanHierarchyMatchesGoMtree checks the parallel walk builds the very
// entries go-mtree's Walk builds: same text, same entry paths.
func TestScanHierarchyMatchesGoMtree(t *testing.T) {
	root := ownedTree(t)
	tests := []struct {
		name string
		kws  []mtree.Keyword
	}{
		{"umoci set", slices.DeleteFunc(slices.Clone(Keywords), func(k mtree.Keyword) bool { return k == hashKeyword })},
		{"reordered", []mtree.Keyword{"xattr", "gid", "type", "link", "uid", "mode", "tar_time"}},
		{"with nlink and size only", []mtree.Keyword{"uid", "gid", "nlink", "size"}},
		{"time instead of tar_time", []mtree.Keyword{"uid", "gid", "type", "time"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, err := mtree.Walk(root, nil, tc.kws, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, visits, err := scanHierarchy(t.Context(), root, mtree.DefaultFsEval{}, tc.kws)
			if err != nil {
				t.Fatal(err)
			}
			g, w := writeText(t, got), writeText(t, want)
			// The date comment may tick between the two walks.
			if gb, wb := body(t, got), body(t, want); gb != wb {
				t.Fatalf("scanHierarchy differs from mtree.Walk:\n--- got\n%s\n--- want\n%s", g, w)
			}
			if !strings.Contains(w, "/set") || !strings.Contains(w, "srv/a\\012newline") && !strings.Contains(w, "a\\012newline") {
				t.Fatalf("test tree does not exercise /set lines and odd names:\n%s", w)
			}
			if err := checkVisits(root, got, visits); err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, e := range got.Entries {
				if e.Type == mtree.RelativeType {
					p, err := e.Path()
					if err != nil {
						t.Fatal(err)
					}
					paths = append(paths, p)
				}
			}
			for i, v := range visits {
				if paths[i] != v.rel {
					t.Fatalf("entry %d: Path %q, visit %q", i, paths[i], v.rel)
				}
			}
		})
	}
}

func TestScanFallback(t *testing.T) {
	root := variedTree(t)
	for _, kws := range [][]mtree.Keyword{
		{"type", "mode"},             // no uid/gid: go-mtree's first /set has them anyway
		{"uid", "gid", "md5digest"},  // reads contents
		{"uid", "gid", "sha1digest"}, // reads contents
		{"uid", "gid", "cksum", "xattr"},
	} {
		if _, _, err := scanHierarchy(t.Context(), root, mtree.DefaultFsEval{}, kws); !errors.Is(err, errScanFallback) {
			t.Errorf("%v: err = %v, want errScanFallback", kws, err)
		}
		// Walk falls back to go-mtree and still matches it.
		want, err := mtree.Walk(root, nil, kws, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Walk(t.Context(), root, WalkOptions{Keywords: kws})
		if err != nil {
			t.Fatal(err)
		}
		if g, w := body(t, got), body(t, want); g != w {
			t.Errorf("%v: Walk differs from mtree.Walk:\n--- got\n%s\n--- want\n%s", kws, g, w)
		}
	}
}

func TestWalkFsEvalOpensOnlyForContent(t *testing.T) {
	base := mtree.DefaultFsEval{}
	if _, ok := walkFsEval(base, []mtree.Keyword{"size", "uid", "xattr", "tar_time"}).(noContentFsEval); !ok {
		t.Error("metadata keywords: want the no-open evaluator")
	}
	for _, k := range []mtree.Keyword{"md5digest", "sha256digest", "cksum", "sha512"} {
		if _, ok := walkFsEval(base, []mtree.Keyword{"size", k}).(noContentFsEval); ok {
			t.Errorf("%s: content keyword got the no-open evaluator", k)
		}
	}
}

func TestMergedKeys(t *testing.T) {
	set := &mtree.Entry{Type: mtree.SpecialType, Keywords: []mtree.KeyVal{"type=file", "uid=0", "gid=0", "mode=0664"}}
	tests := []struct {
		name string
		kvs  []mtree.KeyVal
		want []string // nil: not comparable by strings
	}{
		{"inherits set", []mtree.KeyVal{"size=3"}, []string{"type=file", "uid=0", "gid=0", "mode=0664", "size=3"}},
		{"overrides set", []mtree.KeyVal{"uid=5", "size=3"}, []string{"type=file", "uid=5", "gid=0", "mode=0664", "size=3"}},
		{"time keyword", []mtree.KeyVal{"time=1.0"}, nil},
		{"repeated keyword", []mtree.KeyVal{"size=3", "size=4"}, nil},
		{"no value", []mtree.KeyVal{"size"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &mtree.Entry{Name: "f", Type: mtree.RelativeType, Set: set, Keywords: tc.kvs}
			got := mergedKeys(e)
			if !slices.Equal(got, tc.want) {
				t.Errorf("mergedKeys = %q, want %q", got, tc.want)
			}
			if tc.want != nil {
				var all []string
				for _, kv := range e.AllKeys() {
					all = append(all, string(kv))
				}
				if !slices.Equal(all, got) {
					t.Errorf("AllKeys = %q, mergedKeys = %q", all, got)
				}
			}
		})
	}
}
