package pull

import (
	"bytes"
	"context"
	"fmt"
	"io"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/oci/transport"
)

// download stores desc's blob in the layout unless it is there already,
// retrying a transfer that failed in the middle up to RetryTimes times
// with backoff, as the copy engine does (transport.Retry).
func (s *Session) download(ctx context.Context, desc ispec.Descriptor) error {
	if size, err := s.layout.StatBlob(ctx, desc.Digest); err == nil && size == desc.Size {
		progress.Start(s.opts.Progress, "Pulling blob", desc.Digest.String(), desc.Size).Finish(progress.Skipped)
		return nil
	}
	bar := progress.Start(s.opts.Progress, "Pulling blob", desc.Digest.String(), desc.Size)
	err := transport.Retry(ctx, s.opts.RetryTimes, s.opts.RetryDelay, "pull blob "+desc.Digest.String(), func() error {
		moved, err := s.downloadOnce(ctx, desc, bar)
		if err != nil {
			bar.Add(-moved)
		}
		return err
	})
	if err != nil {
		bar.Finish(progress.Failed)
		return fmt.Errorf("pull blob %s: %w", desc.Digest, err)
	}
	bar.Finish(progress.Done)
	return nil
}

// downloadOnce fetches desc (verified by the source while it streams) and
// stores it (verified again by the layout in the pass that writes it, so
// nothing is stored under a digest it does not match). It returns how many
// bytes it moved.
func (s *Session) downloadOnce(ctx context.Context, desc ispec.Descriptor, bar progress.Blob) (int64, error) {
	rc, err := s.src.Fetch(ctx, desc)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	err = s.putter.PutBlobVerified(ctx, desc.Digest, desc.Size, progress.NewReader(cr, bar))
	return cr.n, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
