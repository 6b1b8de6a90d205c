package layer

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/layer/layertest"
)

// BenchmarkUnpackLayer unpacks a synthetic layer (200 dirs x 20 files of
// 4 KiB), or the uncompressed tar named by LADE_BENCH_TAR.
func BenchmarkUnpackLayer(b *testing.B) {
	var data []byte
	if p := os.Getenv("LADE_BENCH_TAR"); p != "" {
		var err error
		if data, err = os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
	} else {
		content := strings.Repeat("x", 4096)
		var entries []layertest.Entry
		for d := range 200 {
			dir := fmt.Sprintf("usr/lib/d%03d", d)
			entries = append(entries, layertest.Dir(dir))
			for f := range 20 {
				entries = append(entries, layertest.File(fmt.Sprintf("%s/f%02d", dir, f), content))
			}
		}
		data = layertest.Tar(b, entries...)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		root := filepath.Join(b.TempDir(), "rootfs")
		if err := UnpackLayer(b.Context(), root, bytes.NewReader(data), &UnpackOptions{Digests: &DigestCache{}}); err != nil {
			b.Fatal(err)
		}
	}
}
