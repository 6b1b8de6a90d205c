package testimage

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// sample builds a three-layer image using every entry kind and compression.
func sample() *Builder {
	b := New()
	b.Config = ispec.ImageConfig{
		User:       "1000:1000",
		Env:        []string{"PATH=/bin", "FOO=bar"},
		Entrypoint: []string{"/bin/sh"},
		Cmd:        []string{"-c", "echo hi"},
		WorkingDir: "/home/app",
		Labels:     map[string]string{"org.example": "yes"},
		Volumes:    map[string]struct{}{"/data": {}},
	}
	b.Author = "tester"
	big := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	b.AddLayer(Gzip, "base",
		Dir("etc", 0),
		File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0o644),
		Dir("tmp", 0o1777),
		File("/usr/bin/tool", "#!/bin/sh\n", 0o4755).Owned(0, 0),
		File("home/app/f", "app file\n", 0o600).Owned(1000, 1000).At(time.Unix(1700000000, 0)),
		Entry{Kind: KindFile, Path: "big", Size: int64(len(big)), Source: func() io.Reader { return bytes.NewReader(big) }},
		Dir("opt/old", 0),
		File("opt/old/x", "x", 0),
		File("gone", "bye", 0),
	)
	b.AddLayer(Zstd, "links",
		Symlink("bin", "usr/bin"),
		Hardlink("etc/passwd-", "etc/passwd"),
	)
	b.AddLayer(None, "removals",
		Whiteout("gone"),
		Opaque("opt/old"),
		File("opt/old/y", "y", 0),
	)
	return b
}

func TestWriteRereads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "layout")
	res, err := sample().Write(t.Context(), dir, "v1")
	if err != nil {
		t.Fatal(err)
	}
	man, img, layers := reread(t, dir, "v1")
	if man.Config.Digest != res.Config.Digest || len(man.Layers) != 3 {
		t.Fatalf("manifest %+v does not match result %+v", man, res)
	}
	wantTypes := []string{layerMediaType + "+gzip", layerMediaType + "+zstd", layerMediaType}
	for i, l := range man.Layers {
		if l.MediaType != wantTypes[i] {
			t.Errorf("layer %d media type %q, want %q", i, l.MediaType, wantTypes[i])
		}
	}
	if img.Config.User != "1000:1000" || img.Config.WorkingDir != "/home/app" || img.Author != "tester" ||
		img.OS != "linux" || len(img.History) != 3 || img.History[1].CreatedBy != "links" {
		t.Errorf("unexpected config %+v", img)
	}
	want := [][]string{
		{"5 etc/", "0 etc/passwd", "5 tmp/", "0 usr/bin/tool", "0 home/app/f", "0 big", "5 opt/old/", "0 opt/old/x", "0 gone"},
		{"2 bin", "1 etc/passwd-"},
		{"0 .wh.gone", "0 opt/old/.wh..wh..opq", "0 opt/old/y"},
	}
	for i := range want {
		if got := names(layers[i]); !slices.Equal(got, want[i]) {
			t.Errorf("layer %d entries\n got %q\nwant %q", i, got, want[i])
		}
	}
	h := layers[0]
	if h[2].Mode != 0o1777 || h[3].Mode != 0o4755 || h[4].Uid != 1000 || h[4].ModTime.Unix() != 1700000000 ||
		!h[0].ModTime.Equal(Epoch) || h[5].Size != 65536 {
		t.Errorf("unexpected header metadata: %+v %+v %+v", h[2], h[3], h[4])
	}
	if wh := layers[2][0]; wh.Mode != 0 || wh.Size != 0 || wh.Uid != 0 {
		t.Errorf("whiteout header %+v", wh)
	}
}

func TestWriteDeterministicAndRetag(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	ra, err := sample().Write(t.Context(), a, "t")
	if err != nil {
		t.Fatal(err)
	}
	rb, err := sample().Write(t.Context(), b, "t")
	if err != nil {
		t.Fatal(err)
	}
	if ra.Manifest.Digest != rb.Manifest.Digest {
		t.Fatalf("same builder gave %s and %s", ra.Manifest.Digest, rb.Manifest.Digest)
	}
	// A second tag is added; rewriting a tag replaces its entry.
	other := New().AddLayer(Gzip, "", File("only", "1", 0))
	if _, err := other.Write(t.Context(), a, "other"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Write(t.Context(), a, "t"); err != nil {
		t.Fatal(err)
	}
	idx := string(mustRead(t, filepath.Join(a, "index.json")))
	if strings.Count(idx, `"org.opencontainers.image.ref.name":"t"`) != 1 || !strings.Contains(idx, `"other"`) {
		t.Fatalf("index.json after retag: %s", idx)
	}
	reread(t, a, "t")
	leftovers, _ := filepath.Glob(filepath.Join(a, "blobs", "sha256", ".testimage-tmp-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary blobs left: %v", leftovers)
	}
}

func TestWriteErrors(t *testing.T) {
	short := Entry{Kind: KindFile, Path: "s", Size: 10, Source: func() io.Reader { return strings.NewReader("abc") }}
	tests := []struct {
		name, tag, want string
		b               *Builder
	}{
		{"empty tag", "", "empty tag", New()},
		{"bad compression", "t", "unknown compression", New().AddLayer("lz4", "", File("a", "", 0))},
		{"short source", "t", "write \"s\"", New().AddLayer(Gzip, "", short)},
		{"empty symlink", "t", "empty link target", New().AddLayer(Gzip, "", Symlink("l", ""))},
		{"root whiteout", "t", "whiteout of the image root", New().AddLayer(Gzip, "", Whiteout("/"))},
		{"unknown kind", "t", "unknown kind", New().AddLayer(Gzip, "", Entry{Kind: 99, Path: "x"})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := tc.b.Write(t.Context(), dir, tc.tag)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "index.json")); err == nil {
				t.Fatal("failed write left an index.json")
			}
		})
	}
}
