package layer

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// generateInsertSrc builds umoci-behaviour §8's insert source: d with a
// file f, a hardlink h to it and a symlink l -> f.
func generateInsertSrc(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "d")
	generateWrite(t, src, "f", "content", 0o644)
	if err := os.Link(filepath.Join(src, "f"), filepath.Join(src, "h")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("f", filepath.Join(src, "l")); err != nil {
		t.Fatal(err)
	}
	return src
}

func generateInsertBytes(t *testing.T, src, target string, opaque bool, opts *RepackOptions) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	err := GenerateInsertLayer(t.Context(), &buf, src, target, opaque, opts)
	return buf.Bytes(), err
}

func TestGenerateInsertLayer(t *testing.T) {
	src := generateInsertSrc(t)
	file := generateWrite(t, t.TempDir(), "motd", "hi", 0o644)
	for _, tc := range []struct {
		name, src, target string
		opaque            bool
		want              string
	}{
		{"directory", src, "/opt/d", false, "opt/d/ opt/d/f opt/d/h opt/d/l"},
		{"opaque", src, "/opt/d", true, "opt/d/.wh..wh..opq opt/d/ opt/d/f opt/d/h opt/d/l"},
		{"relative target", src, "opt/d/", false, "opt/d/ opt/d/f opt/d/h opt/d/l"},
		{"target clamped at root", src, "/../../opt/d", false, "opt/d/ opt/d/f opt/d/h opt/d/l"},
		// umoci names the root entry of an insert at "/" "/", not ".".
		{"at root", src, "/", false, "/ f h l"},
		{"opaque root", src, "/", true, ".wh..wh..opq / f h l"},
		{"file", file, "/etc/motd", false, "etc/motd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := generateInsertBytes(t, tc.src, tc.target, tc.opaque, nil)
			if err != nil {
				t.Fatalf("GenerateInsertLayer: %v", err)
			}
			entries := generateReadTar(t, data)
			if got := generateNames(entries); got != tc.want {
				t.Fatalf("entries [%s], want [%s]", got, tc.want)
			}
			if tc.opaque {
				h := entries[0].hdr
				if h.Typeflag != tar.TypeReg || h.Size != 0 || h.Mode != 0 || h.Uid != 0 || !h.ModTime.Equal(time.Unix(0, 0)) {
					t.Errorf("opaque header: type %q size %d mode %o uid %d mtime %v", h.Typeflag, h.Size, h.Mode, h.Uid, h.ModTime)
				}
			}
		})
	}
}

func TestGenerateInsertLayerEntries(t *testing.T) {
	data, err := generateInsertBytes(t, generateInsertSrc(t), "/opt/d", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	entries := generateReadTar(t, data)
	if f := generateFind(t, entries, "opt/d/f"); f.hdr.Typeflag != tar.TypeReg || f.body != "content" {
		t.Errorf("opt/d/f: type %q body %q", f.hdr.Typeflag, f.body)
	}
	if h := generateFind(t, entries, "opt/d/h").hdr; h.Typeflag != tar.TypeLink || h.Linkname != "opt/d/f" || h.Size != 0 {
		t.Errorf("opt/d/h: type %q link %q size %d, want a hardlink to opt/d/f", h.Typeflag, h.Linkname, h.Size)
	}
	if l := generateFind(t, entries, "opt/d/l").hdr; l.Typeflag != tar.TypeSymlink || l.Linkname != "f" {
		t.Errorf("opt/d/l: type %q link %q, want a symlink to f", l.Typeflag, l.Linkname)
	}
	src := generateInsertSrc(t)
	first, err := generateInsertBytes(t, src, "/opt/d", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := generateInsertBytes(t, src, "/opt/d", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Error("the same source gave different layers")
	}
}

func TestGenerateInsertLayerMapped(t *testing.T) {
	generateRequireRoot(t)
	src := generateInsertSrc(t)
	if err := os.Lchown(filepath.Join(src, "f"), 100033, 100044); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(src, 100000, 100000); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(filepath.Join(src, "l"), 100000, 100000); err != nil {
		t.Fatal(err)
	}
	shifted := []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	opts := &RepackOptions{MapOptions: MapOptions{UIDMappings: shifted, GIDMappings: shifted}}
	data, err := generateInsertBytes(t, src, "/opt/d", false, opts)
	if err != nil {
		t.Fatal(err)
	}
	if f := generateFind(t, generateReadTar(t, data), "opt/d/f").hdr; f.Uid != 33 || f.Gid != 44 {
		t.Errorf("opt/d/f owner %d:%d, want 33:44", f.Uid, f.Gid)
	}
}

func TestGenerateInsertLayerRefuses(t *testing.T) {
	withWhiteout := t.TempDir()
	generateWrite(t, withWhiteout, "sub/.wh.x", "", 0o644)
	for _, tc := range []struct{ name, src string }{
		{"whiteout name in source", withWhiteout},
		{"missing source", filepath.Join(t.TempDir(), "nope")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := generateInsertBytes(t, tc.src, "/opt", false, nil); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestGenerateWhiteoutLayer(t *testing.T) {
	for _, tc := range []struct{ target, want string }{
		{"/opt/x", "opt/.wh.x"},
		{"x", ".wh.x"},
		{"/a/b/", "a/.wh.b"},
		{"/a/../b", ".wh.b"},
		{"/", ""},
		{"/../..", ""},
	} {
		t.Run(tc.target, func(t *testing.T) {
			var buf bytes.Buffer
			err := GenerateWhiteoutLayer(t.Context(), &buf, tc.target)
			if tc.want == "" {
				if err == nil {
					t.Fatal("whiteout of the root: no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			entries := generateReadTar(t, buf.Bytes())
			if got := generateNames(entries); got != tc.want {
				t.Fatalf("entries [%s], want [%s]", got, tc.want)
			}
			h := entries[0].hdr
			if h.Typeflag != tar.TypeReg || h.Size != 0 || h.Mode != 0 || h.Uid != 0 || h.Gid != 0 || h.ModTime.Unix() != 0 {
				t.Errorf("whiteout header: type %q size %d mode %o owner %d:%d mtime %v", h.Typeflag, h.Size, h.Mode, h.Uid, h.Gid, h.ModTime)
			}
		})
	}
}
