package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

// TestWritersSerialize opens several engines on one archive before any of
// them writes; each stores a blob and adds a tag, then closes. flock
// serializes them (each one that waited rescans the archive its
// predecessor wrote), so no update is lost.
func TestWritersSerialize(t *testing.T) {
	p := layoutTar(t, smallLayout(t))
	const n = 4
	engines := make([]*Engine, n)
	for i := range engines {
		engines[i] = mustOpen(t, p)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, e := range engines {
		wg.Go(func() {
			d, size, err := e.PutBlob(context.Background(), strings.NewReader(fmt.Sprintf("blob of writer %d", i)))
			if err == nil {
				err = e.UpdateIndex(context.Background(), tag(fmt.Sprintf("w%d", i), d, size))
			}
			errs <- errors.Join(err, e.Close())
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	e := mustOpen(t, p)
	got := tags(t, e)
	for i := range n {
		if !slices.Contains(got, fmt.Sprintf("w%d", i)) {
			t.Errorf("tag w%d lost: %v", i, got)
		}
		if _, err := readAll(t, e, digest.FromString(fmt.Sprintf("blob of writer %d", i))); err != nil {
			t.Errorf("blob of writer %d: %v", i, err)
		}
	}
	tarNames(t, p)
	if left := temps(t, p); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

// TestWriterWaitsForReader: a writer cannot start while another engine has
// the archive open, and can once it is closed.
func TestWriterWaitsForReader(t *testing.T) {
	p := layoutTar(t, smallLayout(t))
	reader := mustOpen(t, p)
	writer := mustOpen(t, p)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	wantErr(t, "LockExclusive", writer.LockExclusive(ctx), context.DeadlineExceeded)
	if _, err := reader.ListBlobs(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := reader.Close(); err != nil {
		t.Fatal(err)
	}
	if err := writer.UpdateIndex(t.Context(), tag("after", digest.FromString("x"), 1)); err != nil {
		t.Fatal(err)
	}
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	if got := tags(t, mustOpen(t, p)); !slices.Contains(got, "after") {
		t.Fatalf("tags %v", got)
	}
}

// TestRescanKeepsBlobs: engine a waits for the write lock while engine w
// deletes a blob and tags; a then sees w's archive (w's tag) and still
// serves the deleted blob it may have read before, which it writes back.
func TestRescanKeepsBlobs(t *testing.T) {
	p := layoutTar(t, smallLayout(t))
	a := mustOpen(t, p)
	w := mustOpen(t, p)
	blobs, _ := a.ListBlobs(t.Context())
	gone := blobs[0]
	locked := make(chan error, 1)
	go func() { locked <- a.LockExclusive(context.Background()) }()
	time.Sleep(100 * time.Millisecond) // a is polling: its shared lock is gone
	if err := w.DeleteBlob(t.Context(), gone); err != nil {
		t.Fatal(err)
	}
	if err := w.UpdateIndex(t.Context(), tag("w", gone, 1)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-locked; err != nil {
		t.Fatal(err)
	}
	if got := tags(t, a); !slices.Contains(got, "w") {
		t.Fatalf("a after rescan: tags %v, want w's", got)
	}
	if _, err := readAll(t, a, gone); err != nil {
		t.Fatalf("deleted blob not carried over: %v", err)
	}
	if err := a.UpdateIndex(t.Context(), tag("a", gone, 1)); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	e := mustOpen(t, p)
	if got := tags(t, e); !slices.Contains(got, "w") || !slices.Contains(got, "a") {
		t.Fatalf("tags %v", got)
	}
	if _, err := readAll(t, e, gone); err != nil {
		t.Fatalf("carried blob: %v", err)
	}
}

// TestCleanDeadTemps: a writer removes the temporary directories of dead
// processes (nobody holds their flock), not a live one's, and not those of
// another archive whose name starts the same.
func TestCleanDeadTemps(t *testing.T) {
	p := layoutTar(t, smallLayout(t))
	parent := filepath.Dir(p)
	mk := func(name string) string {
		d := filepath.Join(parent, name)
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	dead := mk(".lade-tmp-layout.tar-123")
	live := mk(".lade-tmp-layout.tar-456")
	other := mk(".lade-tmp-layout.tar-x-789")
	lock, err := os.Open(live)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	e := mustOpen(t, p)
	if err := e.Clean(t.Context()); err != nil {
		t.Fatal(err)
	}
	for d, want := range map[string]bool{dead: false, live: true, other: true} {
		if _, err := os.Stat(d); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", filepath.Base(d), err == nil, want)
		}
	}
}
