package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lade-oci/lade/internal/testimage"
)

// Minimums of the at-scale image at full size (issue 13 item 1).
const (
	scaleMinBytes   = 1200 << 20
	scaleMinEntries = 80000
	scaleMinLayer   = 300 << 20
)

// writeScale writes the at-scale image made of this machine's files
// (divided by div) unless LAYOUT.mkimage says that this recipe, divisor,
// tag and host-file fingerprint are already there. At div 1 it refuses a
// machine whose files fall short of the minimums.
func writeScale(ctx context.Context, layout, tag string, div int, out io.Writer) error {
	b, st, err := testimage.Scale(div)
	if err != nil {
		return err
	}
	var total, largest int64
	for _, n := range st.LayerBytes {
		total += n
		largest = max(largest, n)
	}
	if div == 1 && (total < scaleMinBytes || st.Entries < scaleMinEntries || largest < scaleMinLayer) {
		return fmt.Errorf("scale image: this machine's files give %d MiB in %d entries (largest layer %d MiB); "+
			"want at least %d MiB, %d entries and a layer of %d MiB (install Go in /usr/local/go and more Debian packages)",
			total>>20, st.Entries, largest>>20, scaleMinBytes>>20, scaleMinEntries, scaleMinLayer>>20)
	}
	stamp := strings.TrimSuffix(layout, "/") + ".mkimage"
	key := fmt.Sprintf("%s/%d %s %s\n", testimage.ScaleVersion, div, tag, st.Fingerprint)
	if reused, err := reuseCached(layout, stamp, key, out); err != nil || reused {
		return err
	}
	start := time.Now()
	res, err := b.Write(ctx, layout, tag)
	if err != nil {
		return fmt.Errorf("write scale image: %w", err)
	}
	var blobBytes int64
	for _, l := range res.Layers {
		blobBytes += l.Size
	}
	sizes := make([]string, len(st.LayerBytes))
	for i, n := range st.LayerBytes {
		sizes[i] = strconv.FormatInt(n>>20, 10)
	}
	stats := fmt.Sprintf(
		"scale image %s/%d: %d gzip layers, %d entries: %d files (%d MiB, largest %d MiB), %d dirs, %d symlinks, %d hardlinks, %d whiteouts, %d opaque\n"+
			"  file MiB per layer %s; uncompressed tar %d MiB, compressed %d MiB, manifest %s\n",
		testimage.ScaleVersion, div, st.Layers, st.Entries, st.Files, st.FileBytes>>20, st.LargestFile>>20, st.Dirs,
		st.Symlinks, st.Hardlinks, st.Whiteouts, st.Opaques, strings.Join(sizes, " "), res.TarBytes>>20, blobBytes>>20, res.Manifest.Digest)
	if err := os.WriteFile(stamp, []byte(key+stats), 0o644); err != nil {
		return fmt.Errorf("write cache stamp: %w", err)
	}
	fmt.Fprintf(out, "wrote %s:%s in %.1fs\n%s", layout, tag, time.Since(start).Seconds(), stats)
	return nil
}

// reuseCached reports whether layout is a cached image whose stamp file
// starts with key, printing the recorded stats if so. A stale cache of
// ours (a stamp with another key) is removed, so old blobs do not pile up.
func reuseCached(layout, stamp, key string, out io.Writer) (bool, error) {
	old, err := os.ReadFile(stamp)
	if err == nil && strings.HasPrefix(string(old), key) {
		if _, err := os.Stat(layout + "/index.json"); err == nil {
			fmt.Fprintf(out, "reusing cached %s\n%s", layout, strings.TrimPrefix(string(old), key))
			return true, nil
		}
	}
	if err == nil {
		if err := os.RemoveAll(layout); err != nil {
			return false, fmt.Errorf("remove stale image: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("read cache stamp: %w", err)
	}
	return false, nil
}
