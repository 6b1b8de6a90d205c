package imagecopy

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/progress"
)

// runTask moves one blob, retrying transient failures, and reports it.
func (c *copier) runTask(ctx context.Context, t *blobTask) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	bar := progress.Start(c.opts.Progress, t.label, t.src.Digest.String(), t.src.Size)
	var state progress.State
	err := c.retry(ctx, "copy blob "+t.src.Digest.String(), func() error {
		attempt := &attemptBlob{Blob: bar}
		s, err := c.moveBlob(ctx, t, attempt)
		if err != nil {
			attempt.undo()
		}
		state = s
		return err
	})
	if err != nil {
		bar.Finish(progress.Failed)
		return fmt.Errorf("copy blob %s: %w", t.src.Digest, err)
	}
	bar.Finish(state)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch state {
	case progress.Skipped:
		c.stats.Skipped++
	case progress.Mounted:
		c.stats.Mounted++
	default:
		c.stats.Copied++
		c.stats.Bytes += t.out.Size
	}
	return nil
}

// moveBlob makes one attempt at t: skip it if the destination has it,
// mount it if it can, else stream it from the source to the destination
// (through a temporary file when its bytes change).
func (c *copier) moveBlob(ctx context.Context, t *blobTask, bar progress.Blob) (progress.State, error) {
	if t.changes() {
		return c.moveChanged(ctx, t, bar)
	}
	t.out = ispec.Descriptor{MediaType: t.mediaType, Digest: t.src.Digest, Size: t.src.Size}
	has, err := c.dst.Has(ctx, t.out)
	if err != nil {
		return progress.Failed, fmt.Errorf("check destination: %w", err)
	}
	if has {
		return progress.Skipped, nil
	}
	if c.mounter != nil {
		ok, err := c.mounter.Mount(ctx, t.out, c.from)
		if err != nil {
			return progress.Failed, fmt.Errorf("mount from %s: %w", c.from, err)
		}
		if ok {
			return progress.Mounted, nil
		}
	}
	rc, err := c.src.Fetch(ctx, t.src)
	if err != nil {
		return progress.Failed, fmt.Errorf("fetch: %w", err)
	}
	err = c.dst.PutBlob(ctx, t.out, progress.NewReader(ctxReader{ctx, rc}, bar))
	if cerr := rc.Close(); err == nil && cerr != nil {
		// The destination verified every byte against the digest.
		slog.DebugContext(ctx, "closing source blob", "digest", t.src.Digest, "error", cerr)
	}
	if err != nil {
		return progress.Failed, fmt.Errorf("write: %w", err)
	}
	return progress.Done, nil
}

// attemptBlob counts the bytes of one attempt, so that a failed attempt
// can take them back from the display.
type attemptBlob struct {
	progress.Blob
	n int64
}

func (a *attemptBlob) Add(n int64) {
	a.n += n
	a.Blob.Add(n)
}

func (a *attemptBlob) undo() {
	if a.n != 0 {
		a.Blob.Add(-a.n)
		a.n = 0
	}
}

// ctxReader stops reading once ctx is done, so that cancelling a copy
// stops a transfer from a source that does not watch ctx (a local file).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
