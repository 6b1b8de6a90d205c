package layer

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/internal/pathsafe"
	"github.com/vbatts/go-mtree"
)

// TestGenerateLayerRepack is the repack case of umoci-behaviour §8: delete
// one name of a hardlinked pair, add a file; the surviving name is
// modified (nlink), the deleted one becomes a whiteout, in path order.
func TestGenerateLayerRepack(t *testing.T) {
	root := t.TempDir()
	generateWrite(t, root, "opt/d/f", "hello", 0o644)
	if err := os.Link(filepath.Join(root, "opt/d/f"), filepath.Join(root, "opt/d/h")); err != nil {
		t.Fatal(err)
	}
	generateWrite(t, root, "etc/keep", "same", 0o600)
	generateAgeTree(t, root)
	before := generateWalk(t, root)

	if err := os.Remove(filepath.Join(root, "opt/d/h")); err != nil {
		t.Fatal(err)
	}
	generateWrite(t, root, "newfile", "new", 0o644)
	deltas, err := mtree.Check(root, before, generateTestKeywords, nil)
	if err != nil {
		t.Fatal(err)
	}
	entries := generateReadTar(t, generateLayerBytes(t, root, deltas, nil))

	if got, want := generateNames(entries), ". newfile opt/d/ opt/d/f opt/d/.wh.h"; got != want {
		t.Fatalf("entries [%s], want [%s]", got, want)
	}
	wantTypes := []byte{tar.TypeDir, tar.TypeReg, tar.TypeDir, tar.TypeReg, tar.TypeReg}
	for i, e := range entries {
		if e.hdr.Typeflag != wantTypes[i] {
			t.Errorf("%s: type %q, want %q", e.hdr.Name, e.hdr.Typeflag, wantTypes[i])
		}
	}
	if f := generateFind(t, entries, "opt/d/f"); f.body != "hello" || f.hdr.Mode != 0o644 {
		t.Errorf("opt/d/f: body %q mode %o", f.body, f.hdr.Mode)
	}
	wh := generateFind(t, entries, "opt/d/.wh.h").hdr
	if wh.Size != 0 || wh.Mode != 0 || wh.Uid != 0 || wh.Gid != 0 || wh.ModTime.Unix() != 0 {
		t.Errorf("whiteout header: size %d mode %o owner %d:%d mtime %v", wh.Size, wh.Mode, wh.Uid, wh.Gid, wh.ModTime)
	}
}

func TestGenerateLayerDeterministic(t *testing.T) {
	root := t.TempDir()
	generateWrite(t, root, "a/b/c", strings.Repeat("x", 3<<20), 0o755)
	generateWrite(t, root, "z", "z", 0o644)
	if err := os.Symlink("a/b/c", filepath.Join(root, "l")); err != nil {
		t.Fatal(err)
	}
	deltas := generateAllDeltas(t, root)
	first := generateLayerBytes(t, root, deltas, nil)
	second := generateLayerBytes(t, root, deltas, nil)
	if !bytes.Equal(first, second) {
		t.Fatal("same tree produced different layers")
	}
	entries := generateReadTar(t, first)
	if got, want := generateNames(entries), ". a/ a/b/ a/b/c l z"; got != want {
		t.Fatalf("entries [%s], want [%s]", got, want)
	}
	if c := generateFind(t, entries, "a/b/c"); len(c.body) != 3<<20 || c.hdr.Size != 3<<20 {
		t.Errorf("a/b/c: %d bytes, size %d", len(c.body), c.hdr.Size)
	}
}

func TestGenerateLayerRefuses(t *testing.T) {
	outside := t.TempDir()
	generateWrite(t, outside, "passwd", "secret", 0o644)
	for _, tc := range []struct {
		name     string
		setup    func(t *testing.T, root string)
		spec     string // deltas from an mtree spec; empty = whole tree
		breakout bool
	}{
		{
			name:  "whiteout file in tree",
			setup: func(t *testing.T, root string) { generateWrite(t, root, "dir/.wh.foo", "", 0o644) },
		},
		{
			name:  "opaque marker in tree",
			setup: func(t *testing.T, root string) { generateWrite(t, root, ".wh..wh..opq", "", 0o644) },
		},
		{
			name: "socket",
			setup: func(t *testing.T, root string) {
				l, err := net.Listen("unix", filepath.Join(root, "sock"))
				if err != nil {
					t.Skipf("unix socket: %v", err)
				}
				t.Cleanup(func() { l.Close() })
			},
		},
		{
			name: "parent through symlink",
			setup: func(t *testing.T, root string) {
				if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
					t.Fatal(err)
				}
			},
			spec:     "/set type=file\n. type=dir\n./link/passwd type=file\n..\n",
			breakout: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tc.setup(t, root)
			deltas := generateAllDeltas(t, root)
			if tc.spec != "" {
				deltas = generateSpecDeltas(t, tc.spec)
			}
			var buf bytes.Buffer
			err := GenerateLayer(t.Context(), &buf, root, deltas, nil)
			if err == nil {
				t.Fatalf("no error; entries [%s]", generateNames(generateReadTar(t, buf.Bytes())))
			}
			if tc.breakout != errors.Is(err, pathsafe.ErrBreakout) {
				t.Fatalf("error %v: breakout=%v, want %v", err, !tc.breakout, tc.breakout)
			}
			if strings.Contains(buf.String(), "secret") {
				t.Fatal("content outside the root was archived")
			}
		})
	}
}

func TestGenerateCleanName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{".", "."}, {"", "."}, {"./a/b/", "a/b"}, {"/etc/passwd", "etc/passwd"},
		{"a/../b", "b"}, {"a//b", "a/b"},
		{"..", ""}, {"../etc", ""}, {"a/../../etc", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := generateCleanName(tc.in)
			if tc.want == "" {
				if !errors.Is(err, pathsafe.ErrBreakout) {
					t.Fatalf("got %q, %v; want a breakout error", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestGenerateLayerCanceled(t *testing.T) {
	root := t.TempDir()
	generateWrite(t, root, "f", "x", 0o644)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var buf bytes.Buffer
	if err := GenerateLayer(ctx, &buf, root, generateAllDeltas(t, root), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
