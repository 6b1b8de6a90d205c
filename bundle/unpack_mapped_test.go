package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/opencontainers/go-digest"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/compress"
)

// gzipBlobFile writes n bytes of data that do not compress, gzipped, to a
// file; it returns the data, the file's path and the blob's digest.
func gzipBlobFile(t *testing.T, n int) ([]byte, string, digest.Digest) {
	t.Helper()
	data := make([]byte, n)
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(rnd.Uint32())
	}
	var buf bytes.Buffer
	w, err := compress.Gzip.Compress(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return data, p, digest.FromBytes(buf.Bytes())
}

// countingBlob counts what is read of a file-backed blob.
type countingBlob struct {
	io.ReadCloser
	n atomic.Int64
}

func (c *countingBlob) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingBlob) File() *os.File { return c.ReadCloser.(hardening.FileBacked).File() }

// openBlobFile opens path behind a verifying reader expecting d, as a
// layout's GetBlob does.
func openBlobFile(t *testing.T, path string, d digest.Digest) (*countingBlob, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return &countingBlob{ReadCloser: hardening.NewVerifiedReader(f, d, fi.Size())}, fi.Size()
}

// openMapped opens path as openBlobFile does and decodes it from a
// mapping.
func openMapped(t *testing.T, path string, d digest.Digest) (*countingBlob, int64, io.ReadCloser) {
	t.Helper()
	blob, size := openBlobFile(t, path, d)
	rc, ok, err := decompressMapped(compress.Gzip, blob, size)
	if !ok || err != nil {
		t.Fatalf("decompressMapped: ok %v, %v", ok, err)
	}
	return blob, size, rc
}

func TestDecompressMapped(t *testing.T) {
	data, path, d := gzipBlobFile(t, 64<<20)
	blob, size, rc := openMapped(t, path, d)
	// The verifying read waits for the decoder: once it stops, it is at
	// most mappedLead (and a buffer) ahead of a decoder that has barely
	// started.
	head := make([]byte, 4096)
	if _, err := io.ReadFull(rc, head); err != nil {
		t.Fatal(err)
	}
	for last := int64(-1); blob.n.Load() != last; time.Sleep(100 * time.Millisecond) {
		last = blob.n.Load()
	}
	if n := blob.n.Load(); n > mappedLead+mappedStep+mappedVerifyBuffer {
		t.Fatalf("the verifying read is %d bytes into the blob, the decoder at its start", n)
	}
	rest, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if !bytes.Equal(append(head, rest...), data) {
		t.Fatal("decoded data differs")
	}
	// The pages behind the decoder left the resident set as it went.
	if rss := mappingRSS(t, rc.(*mappedLayer).m.Bytes()); rss > mappedStep+mappedReleaseSlack+1<<20 {
		t.Errorf("%d bytes of the %d-byte mapping resident after decoding it", rss, size)
	}
	if err := rc.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if blob.n.Load() != size {
		t.Fatalf("verified %d of %d bytes", blob.n.Load(), size)
	}
	if _, err := rc.Read(head); !errors.Is(err, errMappedClosed) {
		t.Fatalf("read after close: %v", err)
	}
}

// mappingRSS returns the resident bytes of the mapping that starts at
// data, from /proc/self/smaps.
func mappingRSS(t *testing.T, data []byte) int {
	t.Helper()
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	start := fmt.Sprintf("%x-", uintptr(unsafe.Pointer(unsafe.SliceData(data))))
	found := false
	for line := range strings.Lines(string(smaps)) {
		switch {
		case strings.HasPrefix(line, start):
			found = true
		case found && strings.HasPrefix(line, "Rss:"):
			var kb int
			if _, err := fmt.Sscanf(line, "Rss: %d kB", &kb); err != nil {
				t.Fatalf("parse %q: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("mapping %s not in /proc/self/smaps", start)
	return 0
}

// TestDecompressMappedClosedEarly closes layers read in part, while their
// verifying read waits for the decoder: Close returns, with the verdict on
// the whole blob.
func TestDecompressMappedClosedEarly(t *testing.T) {
	_, path, d := gzipBlobFile(t, 2*mappedLead)
	for expect, want := range map[digest.Digest]error{d: nil, digest.FromString("other"): cas.ErrDigestMismatch} {
		t.Run(fmt.Sprint(want), func(t *testing.T) {
			blob, _, rc := openMapped(t, path, expect)
			if _, err := io.ReadFull(rc, make([]byte, 1000)); err != nil {
				t.Fatal(err)
			}
			for last := int64(-1); blob.n.Load() != last; time.Sleep(50 * time.Millisecond) {
				last = blob.n.Load()
			}
			if err := rc.Close(); !errors.Is(err, want) || want == nil && err != nil {
				t.Fatalf("close of a blob read in part: %v, want %v", err, want)
			}
		})
	}
}

func TestDecompressMappedMismatch(t *testing.T) {
	_, path, d := gzipBlobFile(t, 2<<20)
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(t.TempDir(), "corrupt")
	content[len(content)/2] ^= 0xff
	if err := os.WriteFile(corrupt, content, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		path string
		d    digest.Digest
	}{
		"valid gzip, other digest": {path, digest.FromString("other")},
		"corrupt gzip":             {corrupt, d},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, rc := openMapped(t, tc.path, tc.d)
			defer rc.Close()
			if _, err := io.ReadAll(rc); !errors.Is(err, cas.ErrDigestMismatch) {
				t.Fatalf("read: %v, want a digest mismatch", err)
			}
		})
	}
}

// TestDecompressMappedShrunk: a blob file truncated while it is mapped
// makes the decoder's reads past the new end fault; that is an error, not
// a crash.
func TestDecompressMappedShrunk(t *testing.T) {
	_, path, d := gzipBlobFile(t, 4<<20)
	_, size, rc := openMapped(t, path, d)
	defer rc.Close()
	// At a page boundary, so that the decoder's next read faults (within
	// the last page it would read zeros).
	if err := os.Truncate(path, size/4&^int64(os.Getpagesize()-1)); err != nil {
		t.Fatal(err)
	}
	_, err := io.ReadAll(rc)
	if !errors.Is(err, errBlobShrank) && !errors.Is(err, cas.ErrSizeMismatch) {
		t.Fatalf("read: %v, want the blob reported shorter", err)
	}
}

func TestDecompressMappedOnlyFiles(t *testing.T) {
	_, path, d := gzipBlobFile(t, 1000)
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	inMemory := hardening.NewVerifiedReader(io.NopCloser(bytes.NewReader(content)), d, int64(len(content)))
	if _, ok, _ := decompressMapped(compress.Gzip, inMemory, int64(len(content))); ok {
		t.Error("a blob in memory was mapped")
	}
	blob, size := openBlobFile(t, path, d)
	defer blob.Close()
	if _, ok, _ := decompressMapped(compress.Zstd, blob, size); ok {
		t.Error("a zstd blob was mapped")
	}
	if _, ok, _ := decompressMapped(compress.Gzip, blob, size+1); ok {
		t.Error("a blob of the wrong size was mapped")
	}
}

// failingBlob is a file-backed blob whose reads fail after limit bytes, as
// a disk error would.
type failingBlob struct {
	*countingBlob
	limit int64
}

var errDisk = errors.New("injected read error")

func (f *failingBlob) Read(p []byte) (int, error) {
	if f.n.Load() >= f.limit {
		return 0, errDisk
	}
	return f.countingBlob.Read(p)
}

// TestDecompressMappedVerifierFails: a layer whose verifying read fails
// fails at once, not after decoding the rest of the blob.
func TestDecompressMappedVerifierFails(t *testing.T) {
	_, path, d := gzipBlobFile(t, 2*mappedLead)
	blob, size := openBlobFile(t, path, d)
	rc, ok, err := decompressMapped(compress.Gzip, &failingBlob{blob, 1 << 20}, size)
	if !ok || err != nil {
		t.Fatalf("decompressMapped: ok %v, %v", ok, err)
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if !errors.Is(err, errDisk) {
		t.Fatalf("read: %v, want the verifying read's error", err)
	}
	if n >= mappedLead {
		t.Fatalf("%d bytes decoded before the verifying read's error was reported", n)
	}
}
