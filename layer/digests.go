package layer

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"

	"github.com/opencontainers/go-digest"
)

// DigestCache records the sha256 digest of every regular file UnpackLayer
// writes, keyed by inode number and checked against the size, so a later
// mtree walk can skip re-reading file contents. The zero value is ready to
// use and it is safe for concurrent use. Inode numbers are reused after
// deletes, so the latest Record for an inode wins.
type DigestCache struct {
	mu sync.RWMutex
	m  map[uint64]digestEntry
}

// digestEntry keeps a sha256 as its 32 bytes, not as a digest string: a
// cache holds one per file of an image.
type digestEntry struct {
	size int64
	sum  [sha256.Size]byte
}

// Record stores the digest of the content (size bytes) of inode ino.
// Generators and walkers that hash files themselves may call it too. A
// digest that is not a valid sha256 is not recorded.
func (c *DigestCache) Record(ino uint64, size int64, d digest.Digest) {
	hexSum, ok := strings.CutPrefix(string(d), "sha256:")
	var e digestEntry
	if !ok || hex.DecodedLen(len(hexSum)) != sha256.Size {
		return
	}
	if _, err := hex.Decode(e.sum[:], []byte(hexSum)); err != nil {
		return
	}
	e.size = size
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[uint64]digestEntry)
	}
	c.m[ino] = e
	c.mu.Unlock()
}

// Lookup returns the recorded digest of inode ino if one was recorded with
// the same size.
func (c *DigestCache) Lookup(ino uint64, size int64) (digest.Digest, bool) {
	if c == nil {
		return "", false
	}
	c.mu.RLock()
	e, ok := c.m[ino]
	c.mu.RUnlock()
	if !ok || e.size != size {
		return "", false
	}
	return digest.NewDigestFromEncoded(digest.SHA256, hex.EncodeToString(e.sum[:])), true
}

// Len returns the number of inodes recorded.
func (c *DigestCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
