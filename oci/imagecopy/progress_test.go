package imagecopy_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/oci/imagecopy"
	"github.com/lade-oci/lade/oci/imagecopy/imagecopytest"
	"github.com/lade-oci/lade/oci/transport"
)

func TestProgressLines(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{Layers: 2})
	dst := imagecopytest.NewDestination("")
	dst.Seed(img.Layers[0], nil)
	var out bytes.Buffer
	d := progress.New(&out, progress.Options{Mode: progress.Plain})
	copyOK(t, src, dst, imagecopy.Options{Progress: d, Parallel: 1})
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	short := func(d ispec.Descriptor) string { return d.Digest.Encoded()[:12] }
	text := out.String()
	for _, re := range []string{
		`(?m)^Copying blob ` + short(img.Layers[0]) + `: skipped \(already exists\)$`,
		`(?m)^Copying blob ` + short(img.Layers[1]) + `: done, ` + strconv.FormatInt(img.Layers[1].Size, 10) + ` B in `,
		`(?m)^Copying config ` + short(img.Config) + `: done, [0-9]+ B in `,
		`(?m)^3 blobs \(2 done, 1 skipped\): `,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("progress lacks %s:\n%s", re, text)
		}
	}
}

// failingSource fails the first read of one blob half-way, transiently.
type failingSource struct {
	*imagecopytest.Source
	digest ispec.Descriptor
	failed atomic.Bool
}

func (s *failingSource) Fetch(ctx context.Context, desc ispec.Descriptor) (io.ReadCloser, error) {
	rc, err := s.Source.Fetch(ctx, desc)
	if err != nil || desc.Digest != s.digest.Digest || !s.failed.CompareAndSwap(false, true) {
		return rc, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(io.LimitReader(rc, desc.Size/2), errReader{transport.Transient(errors.New("connection reset"))}), rc}, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// The bytes of a failed attempt are taken back: a retried blob counts
// once.
func TestProgressRetryCountsOnce(t *testing.T) {
	inner, img := source(t, imagecopytest.ImageSpec{Layers: 1})
	src := &failingSource{Source: inner, digest: img.Layers[0]}
	dst := imagecopytest.NewDestination("")
	d := progress.New(io.Discard, progress.Options{Mode: progress.Plain})
	if _, err := copyImage(t, src, dst, imagecopy.Options{Progress: d, RetryTimes: 1, RetryDelay: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	_ = d.Close()
	if !src.failed.Load() {
		t.Fatal("the first fetch did not fail")
	}
	s := d.Summary()
	if want := img.Layers[0].Size + img.Config.Size; s.Bytes != want || s.Done != 2 || s.Failed != 0 {
		t.Errorf("summary %+v, want %d bytes in 2 done blobs", s, want)
	}
}
