package mutate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"

	"github.com/opencontainers/go-digest"
)

type digestT = digest.Digest

// digestOf computes a sha256 digest with crypto/sha256 directly, so tests
// never take the expected value from the code under test.
func digestOf(b []byte) digest.Digest {
	sum := sha256.Sum256(b)
	return digest.Digest("sha256:" + hex.EncodeToString(sum[:]))
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
