package mtreeutil

import (
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/opencontainers/go-digest"
)

// StatCacheName is the stat cache file inside a bundle. umoci ignores it.
const StatCacheName = ".lade-statcache"

// statEntry is what the cache knows about one regular file.
type statEntry struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64 // nanoseconds since the epoch
	digest       digest.Digest
}

// StatCache maps paths (relative to the rootfs, as in the manifest) to the
// stat and sha256 of regular files as they were when the manifest was
// written. Diff trusts the digest of a file only while its device, inode,
// size, mtime and ctime are unchanged; any write changes ctime, which
// cannot be set from user space.
type StatCache struct {
	mu      sync.Mutex
	entries map[string]statEntry
	// saved is the cache file's mtime. Files whose ctime is not older
	// than it may have changed within the same clock tick after being
	// recorded ("racily clean", as git calls it) and are re-hashed.
	saved time.Time
}

// NewStatCache returns an empty cache, to be filled by Walk's Record.
func NewStatCache() *StatCache {
	return &StatCache{entries: map[string]statEntry{}}
}

// Len returns the number of files in the cache.
func (c *StatCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *StatCache) record(rel string, fi os.FileInfo, d digest.Digest) {
	e, ok := statOf(fi)
	if !ok {
		return
	}
	e.digest = d
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[rel] = e
}

// lookup returns the cached digest of rel if fi still matches its stat.
func (c *StatCache) lookup(rel string, fi os.FileInfo) (digest.Digest, bool) {
	now, ok := statOf(fi)
	if !ok || c == nil {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[rel]
	if !ok || c.saved.IsZero() || now.ctime >= c.saved.UnixNano() {
		return "", false
	}
	if e.dev != now.dev || e.ino != now.ino || e.size != now.size || e.mtime != now.mtime || e.ctime != now.ctime {
		return "", false
	}
	return e.digest, true
}

// statOf extracts the cache key fields of a regular file's lstat.
func statOf(fi os.FileInfo) (statEntry, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.Mode().IsRegular() {
		return statEntry{}, false
	}
	return statEntry{
		dev:   uint64(st.Dev), //nolint:unconvert // Dev's type varies by arch
		ino:   st.Ino,
		size:  st.Size,
		mtime: time.Unix(st.Mtim.Unix()).UnixNano(),
		ctime: time.Unix(st.Ctim.Unix()).UnixNano(),
	}, true
}
