package compress

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestSameStreamAsUmoci: at the default level, gzip and zstd write exactly
// the bytes umoci 0.6.0 writes for the same input (its raw add-layer of
// these 3 MiB gave these digests), so layers made by lade and umoci have the
// same digest. umoci pins klauspost/compress v1.11.3 because the encoders'
// output changes between versions; this test fails if lade's dependency
// moves away from the same encoder.
func TestSameStreamAsUmoci(t *testing.T) {
	data := testData(3<<20 + 12345) // several 1 MiB gzip blocks
	for _, tc := range []struct {
		alg  Algorithm
		want string
		size int
	}{
		{Gzip, "4c68996ea486ba06e9a68dce0da1c484047a72cadc5bca512d7b31fecabfdd33", 1205438},
		{Zstd, "0174cdec2c81e18607013aa5c6f23cfef10cb83b0a53d220ca13a06599ad60b9", 1221995},
	} {
		out := compressBytes(t, tc.alg, data)
		sum := sha256.Sum256(out)
		if got := hex.EncodeToString(sum[:]); got != tc.want || len(out) != tc.size {
			t.Errorf("%s: sha256 %s (%d bytes), umoci 0.6.0 writes %s (%d bytes)", tc.alg.Name(), got, len(out), tc.want, tc.size)
		}
	}
}
