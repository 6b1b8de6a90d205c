package layer

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/lade-oci/lade/layer/layertest"
)

// zeroReader reads zeros forever.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// zeroFileLayer streams a layer holding one regular file of size zero
// bytes (never held in memory).
func zeroFileLayer(t *testing.T, name string, size int64) io.Reader {
	t.Helper()
	var head bytes.Buffer
	tw := tar.NewWriter(&head)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644, Format: tar.FormatPAX}); err != nil {
		t.Fatal(err)
	}
	pad := (512 - size%512) % 512
	return io.MultiReader(&head, io.LimitReader(zeroReader{}, size+pad+1024))
}

// TestUnpackRegularZerosBecomeHoles: whole aligned MiBs of zeros in a
// regular entry are holes, so a layer that decompresses to gigabytes of
// zeros cannot fill the disk; the content reads back the same.
func TestUnpackRegularZerosBecomeHoles(t *testing.T) {
	if !holesSupported(t, t.TempDir()) {
		t.Skip("filesystem keeps no holes")
	}
	t.Run("1 GiB of zeros", func(t *testing.T) {
		root := newRoot(t)
		const size = 1 << 30
		start := time.Now()
		if err := UnpackLayer(t.Context(), root, zeroFileLayer(t, "zeros", size), nil); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, "zeros")
		fi, err := os.Stat(p)
		if err != nil || fi.Size() != size {
			t.Fatalf("size %v, %v", fi, err)
		}
		if used := allocated(t, p); used > 1<<20 {
			t.Fatalf("1 GiB of zeros uses %d bytes on disk", used)
		}
		t.Logf("1 GiB of zeros unpacked in %v", time.Since(start))
	})
	t.Run("data around a zero MiB", func(t *testing.T) {
		mib := 1 << 20
		content := strings.Repeat("a", mib) + strings.Repeat("\x00", mib) + strings.Repeat("b", mib/2) + strings.Repeat("\x00", mib)
		root := newRoot(t)
		cache := &DigestCache{}
		mustUnpack(t, root, &UnpackOptions{Digests: cache}, []layertest.Entry{{Type: tar.TypeReg, Name: "f", Content: content, Mode: 0o644}})
		p := filepath.Join(root, "f")
		got, err := os.ReadFile(p)
		if err != nil || string(got) != content {
			t.Fatalf("content differs (%d bytes, %v)", len(got), err)
		}
		// The aligned second MiB is a hole; the trailing MiB of zeros is
		// not aligned (it starts at 2.5 MiB), so it is written.
		if used := allocated(t, p); used > int64(len(content)-mib+64<<10) || used < int64(len(content)-mib) {
			t.Errorf("uses %d bytes on disk, want about %d", used, len(content)-mib)
		}
		_, st := lstat(t, p)
		want := digest.FromBytes([]byte(content))
		if d, ok := cache.Lookup(st.Ino, int64(len(content))); !ok || d != want {
			t.Errorf("recorded digest %v %v, want %v", d, ok, want)
		}
	})
	t.Run("half a MiB of zeros stays dense", func(t *testing.T) {
		content := strings.Repeat("x", 1<<20) + strings.Repeat("\x00", 512<<10)
		root := newRoot(t)
		mustUnpack(t, root, nil, []layertest.Entry{{Type: tar.TypeReg, Name: "f", Content: content, Mode: 0o644}})
		if used := allocated(t, filepath.Join(root, "f")); used < int64(len(content)) {
			t.Errorf("uses %d bytes, want the whole %d", used, len(content))
		}
	})
}
