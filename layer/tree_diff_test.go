package layer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lade-oci/lade/layer/layertest"
)

func buildTree(t *testing.T, layers ...[]layertest.Entry) *Tree {
	t.Helper()
	tree := NewTree()
	for _, l := range layers {
		if err := tree.ApplyLayer(t.Context(), bytes.NewReader(layertest.Tar(t, l...))); err != nil {
			t.Fatalf("ApplyLayer: %v", err)
		}
	}
	return tree
}

func renderChanges(cs []Change) string {
	var lines []string
	for _, c := range cs {
		line := fmt.Sprintf("%s %s", c.Kind, c.Path)
		if len(c.Fields) > 0 {
			line += " " + strings.Join(c.Fields, ",")
		}
		if len(c.Xattrs) > 0 {
			line += " " + strings.Join(c.Xattrs, ",")
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func TestDiffTrees(t *testing.T) {
	base := []layertest.Entry{
		layertest.File("etc/passwd", "root"), layertest.File("etc/old", "o"), layertest.File("old/a/b", "x"),
		user(layertest.File("bin/x", "x"), "user.a", "1"), layertest.Symlink("l", "etc"), layertest.Dir("d"),
		layertest.File("t", "file"),
	}
	later := layertest.Epoch.Add(time.Hour)
	change := []layertest.Entry{
		layertest.File("etc/passwd", "root+user"), layertest.Whiteout("etc/.wh.old"), layertest.Whiteout(".wh.old"),
		owned(user(layertest.File("bin/x", "x"), "user.b", "2"), 1, 0, 0o755), layertest.Symlink("l", "usr"),
		layertest.File("new/dir/f", "n"), layertest.File("d", "now a file"), layertest.Dir("t"),
		layertest.File("t/in", "i"), {Type: '0', Name: "etc/passwd2", ModTime: later},
	}
	a, b := buildTree(t, base), buildTree(t, base, change)
	bt := buildTree(t, base, []layertest.Entry{{Type: '0', Name: "etc/old", Content: "o", ModTime: later}})
	tests := []struct {
		name string
		a, b *Tree
		opts *DiffOptions
		want string
	}{
		{name: "same", a: a, b: buildTree(t, base)},
		{name: "changes", a: a, b: b, want: strings.Join([]string{
			"M /bin/x mode,uid,xattr user.a,user.b", "M /d type", "D /etc/old",
			"M /etc/passwd size,content", "A /etc/passwd2", "M /l link", "A /new", "A /new/dir", "A /new/dir/f",
			"D /old", "D /old/a", "D /old/a/b", "M /t type", "A /t/in"}, "\n")},
		{name: "reverse collapsed", a: b, b: a, opts: &DiffOptions{Collapse: true}, want: strings.Join([]string{
			"M /bin/x mode,uid,xattr user.a,user.b", "M /d type", "A /etc/old",
			"M /etc/passwd size,content", "D /etc/passwd2", "M /l link", "D /new", "A /old", "M /t type", "D /t/in"}, "\n")},
		{name: "mtime ignored", a: a, b: bt},
		{name: "mtime", a: a, b: bt, opts: &DiffOptions{MTime: true}, want: "M /etc/old mtime"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := renderChanges(DiffTrees(tc.a, tc.b, tc.opts))
			if got != tc.want {
				t.Fatalf("DiffTrees:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestTreeMemory applies a layer of 100k files: metadata only, quickly.
func TestTreeMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	entries := make([]layertest.Entry, 0, 100_000)
	for i := range 100_000 {
		entries = append(entries, layertest.File(fmt.Sprintf("d%03d/f%05d", i%500, i), "x"))
	}
	tree := buildTree(t, entries)
	if tree.Len() != 100_500 {
		t.Fatalf("Len = %d", tree.Len())
	}
	if cs := DiffTrees(tree, tree, nil); len(cs) != 0 {
		t.Fatalf("self diff has %d changes", len(cs))
	}
}
