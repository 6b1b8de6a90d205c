package mtreeutil

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/lade-oci/lade/internal/atomicfile"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"
	"github.com/vbatts/go-mtree/pkg/govis"
)

// statCacheMagic heads the cache file; a different header means a format
// this version does not know, and the cache is ignored.
const statCacheMagic = "lade-statcache v1"

// SaveStatCache atomically writes c to BUNDLE/.lade-statcache: one line per
// file "dev ino size mtime ctime sha256hex vis(path)".
func SaveStatCache(ctx context.Context, bundle string, c *StatCache) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	var buf bytes.Buffer
	buf.WriteString(statCacheMagic + "\n")
	for _, rel := range slices.Sorted(maps.Keys(c.entries)) {
		e := c.entries[rel]
		name, err := govis.Vis(rel, mtree.DefaultVisFlags)
		if err != nil {
			c.mu.Unlock()
			return fmt.Errorf("save stat cache: encode %q: %w", rel, err)
		}
		fmt.Fprintf(&buf, "%d %d %d %d %d %s %s\n", e.dev, e.ino, e.size, e.mtime, e.ctime, e.digest.Encoded(), name)
	}
	c.mu.Unlock()

	fi, err := atomicfile.Write(ctx, filepath.Join(bundle, StatCacheName), 0o600, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return fmt.Errorf("save stat cache: %w", err)
	}
	c.mu.Lock()
	c.saved = fi.ModTime()
	c.mu.Unlock()
	return nil
}

// WriteStatCache atomically writes BUNDLE/.lade-statcache with the files
// that fill hands to its Recorder (a walk's Record), in the order they
// come, without holding them in memory. The file reads back as
// SaveStatCache's does.
func WriteStatCache(ctx context.Context, bundle string, fill func(Recorder) error) error {
	_, err := atomicfile.Write(ctx, filepath.Join(bundle, StatCacheName), 0o600, func(w io.Writer) error {
		sw := &statCacheWriter{w: bufio.NewWriterSize(w, 64<<10)}
		sw.w.WriteString(statCacheMagic + "\n")
		if err := fill(sw); err != nil {
			return err
		}
		if sw.err != nil {
			return sw.err
		}
		return sw.w.Flush()
	})
	if err != nil {
		return fmt.Errorf("save stat cache: %w", err)
	}
	return nil
}

// statCacheWriter writes the lines of a stat cache file as files are
// recorded; the first error sticks.
type statCacheWriter struct {
	w   *bufio.Writer
	err error
}

func (s *statCacheWriter) record(rel string, fi os.FileInfo, d digest.Digest) {
	e, ok := statOf(fi)
	if !ok || s.err != nil {
		return
	}
	name, err := govis.Vis(rel, mtree.DefaultVisFlags)
	if err != nil {
		s.err = fmt.Errorf("encode %q: %w", rel, err)
		return
	}
	_, s.err = fmt.Fprintf(s.w, "%d %d %d %d %d %s %s\n", e.dev, e.ino, e.size, e.mtime, e.ctime, d.Encoded(), name)
}

// LoadStatCache reads BUNDLE/.lade-statcache. A missing file gives an empty
// cache and no error; a corrupt one gives an error (callers should then
// carry on with an empty cache: it only costs re-hashing).
func LoadStatCache(ctx context.Context, bundle string) (*StatCache, error) {
	c := NewStatCache()
	if err := ctx.Err(); err != nil {
		return c, err
	}
	f, err := os.Open(filepath.Join(bundle, StatCacheName))
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("load stat cache: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return c, fmt.Errorf("load stat cache: %w", err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() || sc.Text() != statCacheMagic {
		return NewStatCache(), fmt.Errorf("load stat cache: unknown format")
	}
	for line := 2; sc.Scan(); line++ {
		rel, e, err := parseStatLine(sc.Text())
		if err != nil {
			return NewStatCache(), fmt.Errorf("load stat cache: line %d: %w", line, err)
		}
		c.entries[rel] = e
	}
	if err := sc.Err(); err != nil {
		return NewStatCache(), fmt.Errorf("load stat cache: %w", err)
	}
	c.saved = fi.ModTime()
	return c, nil
}

func parseStatLine(line string) (string, statEntry, error) {
	f := strings.SplitN(line, " ", 7)
	if len(f) != 7 {
		return "", statEntry{}, fmt.Errorf("want 7 fields, got %d", len(f))
	}
	var nums [5]uint64
	for i := range nums {
		bits := 64
		if i >= 2 {
			bits = 63 // size and times are int64
		}
		n, err := strconv.ParseUint(f[i], 10, bits)
		if err != nil {
			return "", statEntry{}, fmt.Errorf("parse field %d: %w", i+1, err)
		}
		nums[i] = n
	}
	d := digest.NewDigestFromEncoded(digest.SHA256, f[5])
	if !validSHA256(d) {
		return "", statEntry{}, fmt.Errorf("parse digest: invalid sha256 %q", f[5])
	}
	rel := f[6]
	if strings.ContainsRune(rel, '\\') {
		// Only escapes need decoding (SaveStatCache writes govis.Vis).
		var err error
		if rel, err = govis.Unvis(rel, mtree.DefaultVisFlags); err != nil {
			return "", statEntry{}, fmt.Errorf("parse path: %w", err)
		}
	}
	return rel, statEntry{
		dev: nums[0], ino: nums[1], size: int64(nums[2]),
		mtime: int64(nums[3]), ctime: int64(nums[4]), digest: d,
	}, nil
}
