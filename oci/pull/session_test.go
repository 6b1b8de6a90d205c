package pull

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	ict "github.com/lade-oci/lade/oci/imagecopy/imagecopytest"
	"github.com/lade-oci/lade/oci/transport"
)

const ref = "registry.example/app:v1"

// readAll reads blob desc through the session's engine, verified.
func readAll(t *testing.T, e casext.Engine, desc ispec.Descriptor) []byte {
	t.Helper()
	rc, err := e.GetVerifiedBlob(t.Context(), desc)
	if err != nil {
		t.Fatalf("read %s: %v", desc.Digest, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", desc.Digest, err)
	}
	return b
}

func TestPullIntoLayout(t *testing.T) {
	src := ict.NewSource("docker://registry.example/app:v1")
	img := src.AddImage(ict.ImageSpec{Layers: 3, Seed: "a"})
	src.SetTop(img.Manifest)
	// Hold the last layer back until the first two have been read: the
	// reader must get the first ones while the last is still on its way.
	release := make(chan struct{})
	src.FetchHook = func(ctx context.Context, desc ispec.Descriptor) error {
		if desc.Digest == img.Layers[2].Digest {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	layout := filepath.Join(t.TempDir(), "cache")
	s, err := Open(t.Context(), src, layout, ref, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := s.Engine()
	path, err := e.ResolveOne(t.Context(), ref)
	if err != nil || path.Descriptor().Digest != img.Manifest.Digest {
		t.Fatalf("ResolveOne(%s) = %v, %v", ref, path.Walk, err)
	}
	if got := readAll(t, e, img.Config); string(got) != string(img.ConfigRaw) {
		t.Fatal("config differs")
	}
	readAll(t, e, img.Layers[0])
	readAll(t, e, img.Layers[1])
	close(release)
	readAll(t, e, img.Layers[2])
	if err := s.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The layout holds the image, tagged, and every blob once.
	le := openLayout(t, layout)
	p, err := le.ResolveOne(t.Context(), ref)
	if err != nil || p.Descriptor().Digest != img.Manifest.Digest {
		t.Fatalf("layout tag: %v %v", p.Walk, err)
	}
	for _, d := range append([]ispec.Descriptor{img.Config}, img.Layers...) {
		if n := src.Fetches(d.Digest); n != 1 {
			t.Errorf("blob %s fetched %d times", d.Digest, n)
		}
	}

	// A second pull of the same image downloads nothing.
	before := src.TotalFetches()
	src.FetchHook = nil
	s2, err := Open(t.Context(), src, layout, ref, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if got := src.TotalFetches() - before; got != 1 {
		t.Fatalf("second pull fetched %d blobs, want only the manifest", got)
	}
}

func openLayout(t *testing.T, path string) casext.Engine {
	t.Helper()
	e, err := dir.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return casext.NewEngine(e)
}

func TestPullChoosesThePlatform(t *testing.T) {
	src := ict.NewSource("docker://registry.example/app:v1")
	amd := src.AddImage(ict.ImageSpec{Platform: ispec.Platform{OS: "linux", Architecture: "amd64"}, Seed: "amd"})
	arm := src.AddImage(ict.ImageSpec{Platform: ispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, Seed: "arm"})
	idx, _ := src.AddIndex(false, amd, arm)
	src.SetTop(idx)
	layout := filepath.Join(t.TempDir(), "cache")
	s, err := Open(t.Context(), src, layout, ref, Options{Platform: ispec.Platform{OS: "linux", Architecture: "arm64"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.Path().Descriptor().Digest; got != arm.Manifest.Digest {
		t.Fatalf("chose %s, want the arm64 image %s", got, arm.Manifest.Digest)
	}
	if err := s.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Only the chosen image's blobs (and the index) were fetched.
	if n := src.Fetches(amd.Layers[0].Digest); n != 0 {
		t.Fatalf("a layer of the other image was fetched %d times", n)
	}
	_, err = Open(t.Context(), src, filepath.Join(t.TempDir(), "c2"), ref, Options{Platform: ispec.Platform{OS: "linux", Architecture: "s390x"}})
	if !errors.Is(err, casext.ErrPlatformNotFound) {
		t.Fatalf("a platform the index lacks: %v", err)
	}
}

func TestFailedPullLeavesNoTagAndNoBadBlob(t *testing.T) {
	src := ict.NewSource("docker://registry.example/app:v1")
	img := src.AddImage(ict.ImageSpec{Layers: 2, Seed: "b"})
	src.SetTop(img.Manifest)
	// The second layer's content is not what its digest says.
	src.Put(img.Layers[1].Digest, []byte("not the layer"))
	layout := filepath.Join(t.TempDir(), "cache")
	s, err := Open(t.Context(), src, layout, ref, Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := s.Engine()
	readAll(t, e, img.Layers[0])
	if _, err := e.GetVerifiedBlob(t.Context(), img.Layers[1]); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("reading the bad layer: %v, want a digest mismatch", err)
	}
	if err := s.Commit(t.Context()); err == nil {
		t.Fatal("Commit succeeded with a blob missing")
	}
	s.Close()
	le := openLayout(t, layout)
	if _, err := le.ResolveOne(t.Context(), ref); !errors.Is(err, casext.ErrTagNotFound) {
		t.Fatalf("a failed pull tagged the image: %v", err)
	}
	if _, err := le.StatBlob(t.Context(), img.Layers[1].Digest); !errors.Is(err, cas.ErrNotExist) {
		t.Fatalf("the bad layer is in the layout: %v", err)
	}
	entries, _ := os.ReadDir(layout)
	for _, ent := range entries {
		if filepath.Ext(ent.Name()) == "" && len(ent.Name()) > 10 && ent.Name()[:10] == ".lade-tmp-" {
			t.Fatalf("temp file left: %s", ent.Name())
		}
	}
}

func TestPullRetriesPassingFailures(t *testing.T) {
	src := ict.NewSource("docker://registry.example/app:v1")
	img := src.AddImage(ict.ImageSpec{Layers: 1, Seed: "c"})
	src.SetTop(img.Manifest)
	var failures atomic.Int32
	src.FetchHook = func(_ context.Context, desc ispec.Descriptor) error {
		if desc.Digest == img.Layers[0].Digest && failures.Add(1) <= 1 {
			return transport.Transient(errors.New("HTTP 503"))
		}
		return nil
	}
	s, err := Open(t.Context(), src, filepath.Join(t.TempDir(), "cache"), ref, Options{RetryTimes: 2, RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := s.Commit(ctx); err != nil {
		t.Fatalf("a transient failure was not retried: %v", err)
	}
}

// RetryTimes N is N+1 tries of a transfer that fails in the middle, as in
// the copy engine; a failure the source already retried (transport.Retried)
// is tried once.
func TestPullRetryCounts(t *testing.T) {
	for _, tc := range []struct {
		err         error
		times, want int
	}{
		{transport.Transient(errors.New("connection reset")), 0, 1},
		{transport.Transient(errors.New("connection reset")), 3, 4},
		{transport.Retried(transport.Transient(errors.New("HTTP 503"))), 3, 1},
	} {
		src := ict.NewSource("docker://registry.example/app:v1")
		img := src.AddImage(ict.ImageSpec{Layers: 1, Seed: "e"})
		src.SetTop(img.Manifest)
		var tries atomic.Int32
		src.FetchHook = func(_ context.Context, desc ispec.Descriptor) error {
			if desc.Digest == img.Layers[0].Digest {
				tries.Add(1)
				return tc.err
			}
			return nil
		}
		s, err := Open(t.Context(), src, filepath.Join(t.TempDir(), "cache"), ref, Options{RetryTimes: tc.times, RetryDelay: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Commit(t.Context())
		s.Close()
		if !errors.Is(err, tc.err) || int(tries.Load()) != tc.want {
			t.Errorf("%v, RetryTimes %d: %d tries (want %d), %v", tc.err, tc.times, tries.Load(), tc.want, err)
		}
	}
}

func TestCloseStopsDownloads(t *testing.T) {
	src := ict.NewSource("docker://registry.example/app:v1")
	img := src.AddImage(ict.ImageSpec{Layers: 2, Seed: "d"})
	src.SetTop(img.Manifest)
	src.FetchHook = func(ctx context.Context, desc ispec.Descriptor) error {
		if desc.Digest == img.Layers[1].Digest {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	s, err := Open(t.Context(), src, filepath.Join(t.TempDir(), "cache"), ref, Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop a hanging download")
	}
}

// TestPullIntoAnEmptyDirectory: --layout DIR that exists and is empty (a
// volume, a pre-created directory) becomes the layout in place; a
// non-empty directory that is no layout is refused.
func TestPullIntoAnEmptyDirectory(t *testing.T) {
	src := ict.NewSource("docker://registry.example/app:v1")
	img := src.AddImage(ict.ImageSpec{Layers: 1, Seed: "e"})
	src.SetTop(img.Manifest)
	layout := filepath.Join(t.TempDir(), "empty")
	if err := os.Mkdir(layout, 0o2750); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(layout)
	s, err := Open(t.Context(), src, layout, ref, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	after, _ := os.Stat(layout)
	if !os.SameFile(before, after) || after.Mode() != before.Mode() {
		t.Fatalf("the directory was replaced or changed: %v -> %v", before.Mode(), after.Mode())
	}
	openLayout(t, layout)

	other := filepath.Join(t.TempDir(), "other")
	if err := os.MkdirAll(filepath.Join(other, "stuff"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), src, other, ref, Options{}); err == nil || !strings.Contains(err.Error(), "not an image layout") {
		t.Fatalf("a non-empty directory: %v", err)
	}
}
