package imagecopy_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/imagecopy"
	"github.com/lade-oci/lade/oci/imagecopy/imagecopytest"
	"github.com/lade-oci/lade/oci/transport"
)

// Blobs the destination has are neither fetched nor written.
func TestSkipExisting(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{Layers: 3})
	dst := imagecopytest.NewDestination("")
	for _, d := range append(img.Layers, img.Config) {
		dst.Seed(d, nil)
	}
	res := copyOK(t, src, dst, imagecopy.Options{})
	for _, d := range append(img.Layers, img.Config) {
		if n := src.Fetches(d.Digest); n != 0 {
			t.Errorf("blob %s fetched %d times", d.Digest, n)
		}
	}
	if _, puts, _ := dst.Counts(); puts != 0 {
		t.Errorf("%d PutBlob calls", puts)
	}
	if res.Stats.Skipped != 4 || res.Stats.Copied != 0 || res.Stats.Bytes != 0 {
		t.Errorf("stats %+v", res.Stats)
	}
}

// A destination that has the image's manifest only gets the commit: no
// blob is looked at.
func TestManifestExistsFastPath(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{Layers: 3})
	dst := imagecopytest.NewDestination("")
	dst.Seed(img.Manifest, img.Raw)
	res := copyOK(t, src, dst, imagecopy.Options{})
	has, puts, _ := dst.Counts()
	if has != 1 || puts != 0 || src.TotalFetches() != 1 {
		t.Errorf("fast path: %d Has, %d PutBlob, %d fetches (want 1, 0, 1: the manifest)", has, puts, src.TotalFetches())
	}
	if res.Descriptor.Digest != img.Manifest.Digest || res.Stats != (imagecopy.Stats{Manifests: 1}) {
		t.Errorf("result %s, stats %+v", res.Descriptor.Digest, res.Stats)
	}

	// Also for a converted image whose converted manifest is there.
	dst2 := imagecopytest.NewDestination("")
	first := copyOK(t, src, dst2, imagecopy.Options{Format: imagecopy.FormatV2S2})
	fetches := src.TotalFetches()
	again := copyOK(t, src, dst2, imagecopy.Options{Format: imagecopy.FormatV2S2})
	if again.Descriptor.Digest != first.Descriptor.Digest || src.TotalFetches() != fetches+1 {
		t.Errorf("second converted copy fetched %d times", src.TotalFetches()-fetches)
	}

	// An index whose images are there: only the missing image moves.
	isrc, images, _, _ := multiArch(t, false)
	dst3 := imagecopytest.NewDestination("")
	dst3.Seed(images[0].Manifest, images[0].Raw)
	res = copyOK(t, isrc, dst3, imagecopy.Options{MultiArch: imagecopy.MultiArchAll})
	for i, img := range images {
		fetched := isrc.Fetches(img.Config.Digest) > 0
		if fetched != (i != 0) {
			t.Errorf("image %d: config fetched=%v", i, fetched)
		}
	}
	if res.Stats.Copied != 6 || res.Stats.Manifests != 3 {
		t.Errorf("stats %+v", res.Stats)
	}
}

func TestMount(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{Layers: 2})
	all := map[string]bool{}
	blobs := append(img.Layers, img.Config)
	newDst := func(registry, repo string) *imagecopytest.MountDestination {
		d := &imagecopytest.MountDestination{Destination: imagecopytest.NewDestination(""), Registry: registry, Repo: repo}
		d.Mountable = map[digestT]bool{}
		for _, b := range blobs {
			d.Mountable[b.Digest] = true
		}
		return d
	}
	rs := imagecopytest.RepoSource{Source: src, Registry: "reg.example:5000", Repo: "team/app"}

	// Same registry, another repository: mounted, nothing fetched.
	dst := newDst("reg.example:5000", "team/copy")
	res, err := copyImage(t, rs, dst, imagecopy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Mounted != 3 || res.Stats.Copied != 0 {
		t.Errorf("stats %+v", res.Stats)
	}
	for _, b := range blobs {
		if src.Fetches(b.Digest) != 0 {
			t.Errorf("mounted blob %s fetched", b.Digest)
		}
		all[b.Digest.String()+" from team/app"] = true
	}
	for _, m := range dst.Mounts() {
		if !all[m] {
			t.Errorf("unexpected mount %q", m)
		}
	}

	// Same repository, or another registry: no mount attempted.
	for _, d := range []*imagecopytest.MountDestination{newDst("reg.example:5000", "team/app"), newDst("other.example", "team/copy")} {
		if _, err := copyImage(t, rs, d, imagecopy.Options{}); err != nil {
			t.Fatal(err)
		}
		if len(d.Mounts()) != 0 {
			t.Errorf("%s/%s: mounts %v", d.Registry, d.Repo, d.Mounts())
		}
	}

	// A source that is not a repository: no mount.
	d := newDst("reg.example:5000", "team/copy")
	if _, err := copyImage(t, src, d, imagecopy.Options{}); err != nil || len(d.Mounts()) != 0 {
		t.Errorf("mounted from a non-repository source: %v %v", d.Mounts(), err)
	}

	// A mount the registry refuses falls back to a copy.
	d = newDst("reg.example:5000", "team/copy")
	delete(d.Mountable, img.Layers[0].Digest)
	res, err = copyImage(t, rs, d, imagecopy.Options{})
	if err != nil || res.Stats.Mounted != 2 || res.Stats.Copied != 1 {
		t.Errorf("refused mount: stats %+v, %v", res.Stats, err)
	}
}

// failFetch makes the first n fetches of d fail with err.
func failFetch(src *imagecopytest.Source, d ispec.Descriptor, n int, err error) {
	var count atomic.Int64
	src.FetchHook = func(_ context.Context, desc ispec.Descriptor) error {
		if desc.Digest == d.Digest && count.Add(1) <= int64(n) {
			return err
		}
		return nil
	}
}

func TestRetryTransient(t *testing.T) {
	unavailable := transport.Transient(errors.New("503 Service Unavailable"))
	for _, compression := range []transport.LayerCompression{transport.PreserveCompression, transport.Decompress} {
		src, img := source(t, imagecopytest.ImageSpec{})
		layer := img.Layers[1]
		failFetch(src, layer, 3, unavailable)
		dst := imagecopytest.NewDestination("")
		dst.Compression = compression
		opts := imagecopy.Options{RetryTimes: 3, RetryDelay: time.Millisecond}
		copyOK(t, src, dst, opts)
		if n := src.Fetches(layer.Digest); n != 4 {
			t.Errorf("layer fetched %d times, want 4 (3 failures, then success)", n)
		}

		// One retry fewer: the copy fails after RetryTimes+1 tries.
		src, img = source(t, imagecopytest.ImageSpec{})
		layer = img.Layers[1]
		failFetch(src, layer, 3, unavailable)
		dst = imagecopytest.NewDestination("")
		dst.Compression = compression
		opts.RetryTimes = 2
		_, err := copyImage(t, src, dst, opts)
		if !transport.IsTransient(err) {
			t.Errorf("err = %v, want the transient error", err)
		}
		if n := src.Fetches(layer.Digest); n != 3 {
			t.Errorf("layer fetched %d times, want 3", n)
		}
		notCommitted(t, dst)
	}
}

func TestNonTransientNotRetried(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{})
	boom := errors.New("permission denied")
	failFetch(src, img.Layers[0], 10, boom)
	dst := imagecopytest.NewDestination("")
	_, err := copyImage(t, src, dst, imagecopy.Options{RetryTimes: 5, RetryDelay: time.Millisecond})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	if n := src.Fetches(img.Layers[0].Digest); n != 1 {
		t.Errorf("non-transient failure tried %d times", n)
	}
	notCommitted(t, dst)
}

// A failure the transport already retried (a registry's HTTP client,
// which marks it transport.Retried) and a refused connection are not
// retried by the engine: --retry-times N stays N+1 tries of a request.
func TestRetriedAndRefusedNotRetried(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, err := range []error{transport.Retried(transport.Transient(errors.New("503 Service Unavailable"))), refused} {
		src, img := source(t, imagecopytest.ImageSpec{})
		failFetch(src, img.Layers[0], 10, err)
		dst := imagecopytest.NewDestination("")
		_, got := copyImage(t, src, dst, imagecopy.Options{RetryTimes: 3, RetryDelay: time.Millisecond})
		if !errors.Is(got, err) {
			t.Errorf("err = %v", got)
		}
		if n := src.Fetches(img.Layers[0].Digest); n != 1 {
			t.Errorf("%v: tried %d times, want once", err, n)
		}
		notCommitted(t, dst)
	}
}

// A transient failure of the destination is retried too, with the blob
// fetched anew.
func TestRetryTransientPut(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{})
	dst := imagecopytest.NewDestination("")
	var fails atomic.Int64
	dst.PutBlobHook = func(_ context.Context, desc ispec.Descriptor) error {
		if desc.Digest == img.Layers[0].Digest && fails.Add(1) <= 2 {
			return transport.Transient(fmt.Errorf("reset: %w", errors.New("connection reset")))
		}
		return nil
	}
	copyOK(t, src, dst, imagecopy.Options{RetryTimes: 2, RetryDelay: time.Millisecond})
	if n := src.Fetches(img.Layers[0].Digest); n != 3 {
		t.Errorf("layer fetched %d times, want 3", n)
	}
}

// No more than Options.Parallel blobs are written at once.
func TestParallelBound(t *testing.T) {
	for _, parallel := range []int{1, 3} {
		src, _ := source(t, imagecopytest.ImageSpec{Layers: 12})
		dst := imagecopytest.NewDestination("")
		// Each write waits until more than `parallel` writes run, which
		// a working bound never lets happen, or a while has passed: any
		// write the engine lets through beyond the bound is then seen.
		dst.PutBlobHook = func(ctx context.Context, _ ispec.Descriptor) error {
			for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				if dst.InFlight() > int64(parallel) {
					break
				}
			}
			return nil
		}
		copyOK(t, src, dst, imagecopy.Options{Parallel: parallel})
		if _, puts, most := dst.Counts(); most != int64(parallel) || puts != 13 {
			t.Errorf("parallel %d: at most %d writes at once (%d in all)", parallel, most, puts)
		}
	}
}

// Cancelling the context stops every worker; nothing is committed.
func TestCancelStopsWorkers(t *testing.T) {
	src, _ := source(t, imagecopytest.ImageSpec{Layers: 8})
	dst := imagecopytest.NewDestination("")
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 16)
	dst.PutBlobHook = func(ctx context.Context, _ ispec.Descriptor) error {
		started <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}
	done := make(chan error, 1)
	go func() {
		_, err := imagecopy.Copy(ctx, src, dst, imagecopy.Options{Parallel: 4, TempDir: t.TempDir()})
		done <- err
	}()
	<-started
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if n := dst.InFlight(); n != 0 {
		t.Errorf("%d writes still running after Copy returned", n)
	}
	if _, puts, _ := dst.Counts(); puts > 4 {
		t.Errorf("%d writes started, more than the 4 allowed at once: cancelled work went on", puts)
	}
	notCommitted(t, dst)
}

// A source blob whose content does not match its digest never ends up
// stored at the destination, whether it is streamed or recompressed.
func TestCorruptSourceBlob(t *testing.T) {
	for _, compression := range []transport.LayerCompression{transport.PreserveCompression, transport.Compress, transport.Decompress} {
		spec := imagecopytest.ImageSpec{}
		if compression == transport.Compress {
			spec.Compression = "none"
		}
		src, img := source(t, spec)
		bad := img.Layers[1]
		good, _ := src.Fetch(context.Background(), img.Layers[0])
		goodBytes := make([]byte, img.Layers[0].Size)
		if _, err := io.ReadFull(good, goodBytes); err != nil {
			t.Fatal(err)
		}
		// The other layer's bytes (a valid stream), under this digest.
		src.Put(bad.Digest, goodBytes)
		dst := imagecopytest.NewDestination("")
		dst.Compression = compression
		_, err := copyImage(t, src, dst, imagecopy.Options{RetryTimes: 2, RetryDelay: time.Millisecond})
		if !errors.Is(err, cas.ErrDigestMismatch) {
			t.Errorf("compression %d: err = %v, want a digest mismatch", compression, err)
		}
		if n := src.Fetches(bad.Digest); n != 1 {
			t.Errorf("a corrupt blob was fetched %d times: a mismatch is not transient", n)
		}
		if _, ok := dst.Blob(bad.Digest); ok {
			t.Errorf("corrupt blob stored")
		}
		if _, ok := dst.Blob(img.DiffIDs[1]); ok {
			t.Errorf("corrupt blob stored decompressed")
		}
		notCommitted(t, dst)
	}
}

type digestT = digest.Digest
