package mtreeutil

import (
	"os"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"
)

func TestWalkMatchesGoMtree(t *testing.T) {
	root := variedTree(t)
	want, err := mtree.Walk(root, nil, Keywords, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Walk(t.Context(), root, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g, w := body(t, got), body(t, want); g != w {
		t.Errorf("Walk differs from mtree.Walk:\n--- got\n%s\n--- want\n%s", g, w)
	}
	if !strings.Contains(body(t, got), "sha256digest=98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4 xattr.user.greeting=aGVsbG8=") {
		t.Errorf("hello.txt line lacks digest before xattr:\n%s", body(t, got))
	}
	// Another keyword order and a set without sha256digest.
	for _, kws := range [][]mtree.Keyword{
		{"sha256digest", "type", "size", "xattr", "mode"},
		{"type", "uid", "nlink", "time"},
	} {
		want, err := mtree.Walk(root, nil, kws, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Walk(t.Context(), root, WalkOptions{Keywords: kws})
		if err != nil {
			t.Fatal(err)
		}
		if g, w := body(t, got), body(t, want); g != w {
			t.Errorf("keywords %v: Walk differs:\n--- got\n%s\n--- want\n%s", kws, g, w)
		}
	}
}

// TestWalkDigestReuse checks that a known digest is used instead of reading
// the file, and ignored unless it is a valid sha256.
func TestWalkDigestReuse(t *testing.T) {
	root := variedTree(t)
	fake := digest.FromString("not the content")
	var asked []string
	dh, err := Walk(t.Context(), root, WalkOptions{Digest: func(path string, fi os.FileInfo) (digest.Digest, bool) {
		asked = append(asked, path)
		switch path {
		case "hello.txt":
			return fake, true
		case "etc/passwd":
			return "sha512:abc", true // wrong algorithm: must be ignored
		}
		return "", false
	}})
	if err != nil {
		t.Fatal(err)
	}
	b := body(t, dh)
	if !strings.Contains(b, "hello.txt size=3 mode=0644 nlink=2 tar_time=1700000000.000000000 sha256digest="+fake.Encoded()+" xattr.user.greeting=") {
		t.Errorf("known digest not used:\n%s", b)
	}
	if strings.Contains(b, "sha256digest=abc") || !strings.Contains(b, "sha256digest="+digest.FromString("root:x:0:0:root:/root:/bin/sh\n").Encoded()) {
		t.Errorf("invalid known digest used:\n%s", b)
	}
	for _, p := range asked {
		if strings.HasPrefix(p, "/") || strings.Contains(p, root) {
			t.Errorf("Digest got non-relative path %q", p)
		}
	}
	if len(asked) < 40 {
		t.Errorf("Digest asked for %d files only", len(asked))
	}
}

func TestWalkErrors(t *testing.T) {
	if _, err := Walk(t.Context(), "/nonexistent/lade", WalkOptions{}); err == nil {
		t.Error("walk of a missing root succeeded")
	}
	f := t.TempDir() + "/file"
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Walk(t.Context(), f, WalkOptions{}); err == nil {
		t.Error("walk of a file succeeded")
	}
	if _, err := Walk(t.Context(), t.TempDir(), WalkOptions{Keywords: []mtree.Keyword{"bogus"}}); err == nil {
		t.Error("walk with an unknown keyword succeeded")
	}
	// A root that is a symlink to a directory is not followed (go-mtree
	// returned no hierarchy and the walk panicked).
	link := t.TempDir() + "/link"
	if err := os.Symlink(t.TempDir(), link); err != nil {
		t.Fatal(err)
	}
	if _, err := Walk(t.Context(), link, WalkOptions{}); err == nil || !strings.Contains(err.Error(), "root is a symlink") {
		t.Errorf("walk of a symlink root: err = %v", err)
	}
	dh, err := Walk(t.Context(), t.TempDir(), WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Diff(t.Context(), link, dh, DiffOptions{}); err == nil {
		t.Error("diff of a symlink root succeeded")
	}
}
