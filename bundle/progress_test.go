package bundle

import (
	"bytes"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/internal/testimage"
	lt "github.com/lade-oci/lade/layer/layertest"
	"github.com/lade-oci/lade/oci/compress"
)

// TestUnpackProgress checks that Unpack and UnpackRootfs report the bytes
// read of every layer blob, and nothing else.
func TestUnpackProgress(t *testing.T) {
	ti := buildImage(t, nil,
		testLayer{tar: lt.Tar(t, lt.Dir("etc"), lt.File("etc/a", "a\n"))},
		testLayer{tar: lt.Tar(t, lt.File("etc/b", "b\n")), alg: compress.Zstd},
	)
	for name, unpack := range map[string]func(opts UnpackOptions) error{
		"Unpack": func(opts UnpackOptions) error {
			return Unpack(t.Context(), ti.engine, ti.path, filepath.Join(t.TempDir(), "bundle"), opts)
		},
		"UnpackRootfs": func(opts UnpackOptions) error {
			return UnpackRootfs(t.Context(), ti.engine, ti.path, filepath.Join(t.TempDir(), "rootfs"), opts)
		},
	} {
		var out bytes.Buffer
		d := progress.New(&out, progress.Options{Mode: progress.Plain})
		if err := unpack(UnpackOptions{Progress: d}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		s := d.Summary()
		var want int64
		for _, l := range ti.layers {
			want += l.Size
			re := regexp.MustCompile(`(?m)^Unpacking layer ` + l.Digest.Encoded()[:12] + `: done, `)
			if !re.MatchString(out.String()) {
				t.Errorf("%s: no line for layer %s:\n%s", name, l.Digest, out.String())
			}
		}
		if s.Blobs != len(ti.layers) || s.Done != len(ti.layers) || s.Bytes != want {
			t.Errorf("%s: summary %+v, want %d layers, %d bytes", name, s, len(ti.layers), want)
		}
	}
}

// A corrupt layer blob is reported as failed.
func TestUnpackProgressFailed(t *testing.T) {
	ti := buildImage(t, nil, testLayer{tar: lt.Tar(t, lt.File("f", "some content\n"))})
	ti.corruptBlob(t, ti.layers[0].Digest)
	d := progress.New(&bytes.Buffer{}, progress.Options{Mode: progress.Plain})
	if err := UnpackRootfs(t.Context(), ti.engine, ti.path, filepath.Join(t.TempDir(), "rootfs"), UnpackOptions{Progress: d}); err == nil {
		t.Fatal("corrupt layer unpacked")
	}
	_ = d.Close()
	if s := d.Summary(); s.Failed != 1 || s.Done != 0 {
		t.Errorf("summary %+v, want the layer failed", s)
	}
}

func TestRepackProgress(t *testing.T) {
	f := newRepackFixture(t, testimage.Small())
	repackWrite(t, filepath.Join(f.rootfs, "new-file"), "new content\n")
	var out bytes.Buffer
	d := progress.New(&out, progress.Options{Mode: progress.Plain})
	f.repack(t, RepackOptions{Progress: d})
	_ = d.Close()
	if !regexp.MustCompile(`(?m)^Repacking layer new layer: done, [0-9.]+ KiB in `).MatchString(out.String()) {
		t.Errorf("repack progress:\n%s", out.String())
	}
}
