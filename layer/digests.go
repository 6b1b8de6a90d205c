package layer

import (
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

type digestEntry struct {
	size int64
	d    digest.Digest
}

// Record stores the digest of the content (size bytes) of inode ino.
// Generators and walkers that hash files themselves may call it too.
func (c *DigestCache) Record(ino uint64, size int64, d digest.Digest) {
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[uint64]digestEntry)
	}
	c.m[ino] = digestEntry{size: size, d: d}
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
	return e.d, true
}

// Len returns the number of inodes recorded.
func (c *DigestCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
