package imagecopy

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/oci/cas"
)

// moveChanged (re)compresses or decompresses t's blob into a temporary
// file, which gives the new digest and size, then hands the file to the
// destination unless it has that blob already. The file is removed in any
// case.
func (c *copier) moveChanged(ctx context.Context, t *blobTask, bar progress.Blob) (progress.State, error) {
	f, out, err := c.spool(ctx, t, bar)
	if f != nil {
		defer func() {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}()
	}
	if err != nil {
		return progress.Failed, err
	}
	t.out = out
	has, err := c.dst.Has(ctx, out)
	if err != nil {
		return progress.Failed, fmt.Errorf("check destination: %w", err)
	}
	if has {
		return progress.Skipped, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return progress.Failed, fmt.Errorf("rewind %s: %w", f.Name(), err)
	}
	if err := c.dst.PutBlob(ctx, out, ctxReader{ctx, f}); err != nil {
		return progress.Failed, fmt.Errorf("write %s: %w", out.Digest, err)
	}
	return progress.Done, nil
}

// spool streams the source blob of t through its decompressor and
// compressor into a new temporary file in Options.TempDir, hashing what is
// written. The source's own verification (digest and size, checked at its
// end) must pass; a decompressed layer must hash to its diff_id. The file
// is returned (for removal) even with an error.
func (c *copier) spool(ctx context.Context, t *blobTask, bar progress.Blob) (*os.File, ispec.Descriptor, error) {
	f, err := os.CreateTemp(c.opts.TempDir, "lade-copy-*.tmp")
	if err != nil {
		return nil, ispec.Descriptor{}, fmt.Errorf("create temporary file: %w", err)
	}
	rc, err := c.src.Fetch(ctx, t.src)
	if err != nil {
		return f, ispec.Descriptor{}, fmt.Errorf("fetch: %w", err)
	}
	in := progress.NewReader(ctxReader{ctx, rc}, bar)
	out := &hashingWriter{w: f, h: digest.SHA256.Hash()}
	err = convertStream(out, in, t)
	if err == nil {
		// Read to the end, so the source checks its digest and size.
		_, err = io.Copy(io.Discard, in)
	}
	if cerr := rc.Close(); err == nil {
		err = cerr
	} else if errors.Is(cerr, cas.ErrDigestMismatch) {
		// A corrupt blob explains a decompression error.
		err = cerr
	}
	if err != nil {
		return f, ispec.Descriptor{}, fmt.Errorf("read %s: %w", t.src.Digest, err)
	}
	desc := ispec.Descriptor{MediaType: t.mediaType, Digest: digest.NewDigest(digest.SHA256, out.h), Size: out.n}
	if t.op == opDecompress && desc.Digest != t.diffID {
		return f, ispec.Descriptor{}, fmt.Errorf("layer %s decompresses to %s, but the image config's diff_id is %s: %w",
			t.src.Digest, desc.Digest, t.diffID, cas.ErrDigestMismatch)
	}
	return f, desc, nil
}

// convertStream copies r to w, decompressing with t.from and compressing
// with t.to where set.
func convertStream(w io.Writer, r io.Reader, t *blobTask) (err error) {
	if t.from != nil {
		dec, err := t.from.Decompress(r)
		if err != nil {
			return fmt.Errorf("decompress %s: %w", t.from.Name(), err)
		}
		defer func() {
			if cerr := dec.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("decompress %s: %w", t.from.Name(), cerr)
			}
		}()
		r = dec
	}
	if t.to == nil {
		_, err = io.Copy(w, r)
		return err
	}
	comp, err := t.to.Compress(w)
	if err != nil {
		return fmt.Errorf("compress %s: %w", t.to.Name(), err)
	}
	if _, err := io.Copy(comp, r); err != nil {
		_ = comp.Close()
		return err
	}
	if err := comp.Close(); err != nil {
		return fmt.Errorf("compress %s: %w", t.to.Name(), err)
	}
	return nil
}

// hashingWriter writes to w and hashes and counts what it writes.
type hashingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (hw *hashingWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}
