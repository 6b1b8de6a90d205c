package archive

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// changingArchive is an archive of n blobs of 64 KiB and an index whose
// "v" annotation is version; corrupt flips the case of every blob's
// content, keeping every size and offset.
func changingArchive(t *testing.T, n int, version string, corrupt bool) ([]byte, []string) {
	t.Helper()
	entries := []entry{file("oci-layout", okLayout),
		file("index.json", `{"schemaVersion":2,"manifests":[],"annotations":{"v":"`+version+`"}}`)}
	var blobs []string
	for i := range n {
		b := strings.Repeat(fmt.Sprintf("blob %d;", i), 65536/8)
		blobs = append(blobs, b)
		body := b
		if corrupt {
			body = strings.ToUpper(b)
		}
		entries = append(entries, file(blobName(b), body))
	}
	return tarBytes(t, entries...), blobs
}

// TestArchiveChangedOnDisk changes the archive file under an open engine,
// the way another tool rewriting it in place would: reads fail with
// cas.ErrDigestMismatch or return the exact original content, and the
// index stays the one read at Open (it is what the catalog describes).
func TestArchiveChangedOnDisk(t *testing.T) {
	orig, blobs := changingArchive(t, 2, "1", false)
	corrupt, _ := changingArchive(t, 2, "2", true)
	d := digest.FromString(blobs[0])
	tests := []struct {
		name    string
		change  func(t *testing.T, p string)
		wantErr error
	}{
		{"rewritten in place", func(t *testing.T, p string) { writeOver(t, p, corrupt) }, cas.ErrDigestMismatch},
		{"truncated", func(t *testing.T, p string) {
			if err := os.Truncate(p, 1024); err != nil {
				t.Fatal(err)
			}
		}, cas.ErrDigestMismatch},
		{"replaced by rename", func(t *testing.T, p string) {
			tmp := filepath.Join(filepath.Dir(p), "new.tar")
			writeOver(t, tmp, corrupt)
			if err := os.Rename(tmp, p); err != nil {
				t.Fatal(err)
			}
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "img.tar", orig)
			e := mustOpen(t, p)
			rc, err := e.GetBlob(t.Context(), d)
			if err != nil {
				t.Fatal(err)
			}
			head := make([]byte, 100)
			if _, err := io.ReadFull(rc, head); err != nil {
				t.Fatal(err)
			}
			tc.change(t, p)
			rest, err := io.ReadAll(rc)
			if tc.wantErr == nil {
				if err != nil || string(head)+string(rest) != blobs[0] {
					t.Fatalf("read across the change: %d bytes, %v; want the original blob", len(head)+len(rest), err)
				}
			} else if !errors.Is(err, tc.wantErr) {
				t.Fatalf("read across the change: %v, want %v", err, tc.wantErr)
			}
			_, err = readAll(t, e, d)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("read after the change: %v, want %v", err, tc.wantErr)
			}
			idx, err := e.GetIndex(t.Context())
			if err != nil || idx.Annotations["v"] != "1" {
				t.Fatalf("GetIndex after the change = %v, %v; want the index read at Open", idx.Annotations, err)
			}
		})
	}
}

// TestReadersWhileRewritten reads blobs from several goroutines while the
// archive is rewritten in place over and over, alternating good and
// corrupt content: every read returns the exact blob or fails with
// cas.ErrDigestMismatch, never other bytes without an error.
func TestReadersWhileRewritten(t *testing.T) {
	orig, blobs := changingArchive(t, 4, "1", false)
	corrupt, _ := changingArchive(t, 4, "2", true)
	p := writeFile(t, "img.tar", orig)
	e := mustOpen(t, p)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var good, failed int
	for _, b := range blobs {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := readAll(t, e, digest.FromString(b))
				mu.Lock()
				switch {
				case err == nil && string(got) == b:
					good++
				case err != nil && errors.Is(err, cas.ErrDigestMismatch):
					failed++
				default:
					t.Errorf("read %d bytes (want %d) with error %v", len(got), len(b), err)
				}
				mu.Unlock()
			}
		})
	}
	for i := range 40 {
		if i%2 == 0 {
			writeOver(t, p, corrupt)
		} else {
			writeOver(t, p, orig)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d good reads, %d detected corruptions", good, failed)
}

// writeOver rewrites the file p in place (same inode) with data.
func writeOver(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNoDescriptorLeak opens and closes an archive many times, leaving
// blob readers unclosed: no file descriptor outlives Close, and a reader
// used after Close fails with os.ErrClosed.
func TestNoDescriptorLeak(t *testing.T) {
	data, blobs := changingArchive(t, 1, "1", false)
	p := writeFile(t, "img.tar", data)
	count := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skipf("no /proc/self/fd: %v", err)
		}
		return len(ents)
	}
	before := count()
	var last io.ReadCloser
	for range 50 {
		e, err := Open(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if last, err = e.GetBlob(t.Context(), digest.FromString(blobs[0])); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if after := count(); after > before {
		t.Fatalf("%d file descriptors open after, %d before", after, before)
	}
	if _, err := io.ReadAll(last); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("read after Close: %v, want os.ErrClosed", err)
	}
}
