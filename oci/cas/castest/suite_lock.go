package castest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

var lockTests = []subtest{
	{"ReadOnlyRefusesWrites", testReadOnly},
	{"LockExclusiveWaitsForClose", testLockExclusiveWaits},
	{"LockExclusiveBlocksOpen", testLockExclusiveBlocksOpen},
	{"CleanLeavesLiveWriter", testCleanLiveWriter},
	{"CloseIdempotent", testCloseIdempotent},
}

// settle is how long the suite waits to be confident that a blocked call
// is really blocked.
const settle = 150 * time.Millisecond

func testReadOnly(t *testing.T, h Harness) {
	if h.ReadOnly == nil {
		t.Skip("backend cannot open a read-only store here")
	}
	d := put(t, h.Engine, []byte("readable"))
	if err := h.Engine.PutIndex(t.Context(), sampleIndex(1)); err != nil {
		t.Fatalf("PutIndex: %v", err)
	}
	ro := h.ReadOnly(t)
	t.Cleanup(func() { _ = ro.Close() })

	if got := get(t, ro, d); string(got) != "readable" {
		t.Fatalf("read-only GetBlob = %q", got)
	}
	if n, err := ro.StatBlob(t.Context(), d); err != nil || n != 8 {
		t.Fatalf("read-only StatBlob = %d, %v", n, err)
	}
	if got := listed(t, ro); len(got) != 1 {
		t.Fatalf("read-only ListBlobs = %v", got)
	}
	if idx := getIndex(t, ro); len(idx.Manifests) != 1 {
		t.Fatalf("read-only GetIndex has %d entries", len(idx.Manifests))
	}

	_, _, err := ro.PutBlob(t.Context(), bytes.NewReader([]byte("new")))
	wantErr(t, "PutBlob", err, cas.ErrReadOnly)
	wantErr(t, "DeleteBlob", ro.DeleteBlob(t.Context(), d), cas.ErrReadOnly)
	wantErr(t, "PutIndex", ro.PutIndex(t.Context(), sampleIndex(0)), cas.ErrReadOnly)
	called := false
	err = ro.UpdateIndex(t.Context(), func(*ispec.Index) error { called = true; return nil })
	wantErr(t, "UpdateIndex", err, cas.ErrReadOnly)
	if called {
		t.Error("UpdateIndex on a read-only store called fn")
	}
	if err := ro.Clean(t.Context()); err != nil && !errors.Is(err, cas.ErrReadOnly) {
		t.Errorf("Clean: %v", err)
	}
	if got := get(t, ro, d); string(got) != "readable" {
		t.Fatalf("blob changed after refused writes: %q", got)
	}
	if idx := getIndex(t, ro); len(idx.Manifests) != 1 {
		t.Fatalf("index changed after refused writes: %d entries", len(idx.Manifests))
	}
}

func testLockExclusiveWaits(t *testing.T, h Harness) {
	other := reopen(t, h)
	ctx, cancel := context.WithTimeout(t.Context(), settle)
	defer cancel()
	wantErr(t, "LockExclusive with other engine open", h.Engine.LockExclusive(ctx), context.DeadlineExceeded)

	// The engine still works after the failed attempt.
	put(t, h.Engine, []byte("after timeout"))

	got := make(chan error, 1)
	go func() { got <- h.Engine.LockExclusive(t.Context()) }()
	select {
	case err := <-got:
		t.Fatalf("LockExclusive returned (%v) while another engine is open", err)
	case <-time.After(settle):
	}
	if err := other.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("LockExclusive: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("LockExclusive still waiting after the other engine closed")
	}
	// Holding the lock, the engine still reads, writes and cleans; taking
	// it again is a no-op.
	d := put(t, h.Engine, []byte("while exclusive"))
	if string(get(t, h.Engine, d)) != "while exclusive" {
		t.Fatal("read under exclusive lock failed")
	}
	if err := h.Engine.LockExclusive(t.Context()); err != nil {
		t.Fatalf("second LockExclusive: %v", err)
	}
	if err := h.Engine.Clean(t.Context()); err != nil {
		t.Fatalf("Clean: %v", err)
	}
}

func testLockExclusiveBlocksOpen(t *testing.T, h Harness) {
	if err := h.Engine.LockExclusive(t.Context()); err != nil {
		t.Fatalf("LockExclusive: %v", err)
	}
	opened := make(chan cas.Engine, 1)
	go func() { opened <- h.Reopen(t) }()
	select {
	case e := <-opened:
		e.Close()
		t.Fatal("another engine opened while the store is locked exclusively")
	case <-time.After(settle):
	}
	if err := h.Engine.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case e := <-opened:
		defer e.Close()
		put(t, e, []byte("after unlock"))
	case <-time.After(10 * time.Second):
		t.Fatal("open still blocked after the exclusive engine closed")
	}
}

func testCleanLiveWriter(t *testing.T, h Harness) {
	writer := reopen(t, h)
	data := payload("live writer data ", 1<<20)
	pr, pw := io.Pipe()
	type result struct {
		d   digest.Digest
		err error
	}
	res := make(chan result, 1)
	go func() {
		d, _, err := writer.PutBlob(t.Context(), pr)
		pr.CloseWithError(errors.New("PutBlob returned")) // unblock the writes below
		res <- result{d, err}
	}()
	// Once this write returns, PutBlob is mid-copy with temp data on disk.
	if _, err := pw.Write(data[:len(data)/2]); err != nil {
		t.Fatalf("PutBlob stopped reading early: %v (%v)", err, (<-res).err)
	}
	for _, e := range []cas.Engine{h.Engine, writer} {
		if err := e.Clean(t.Context()); err != nil {
			t.Fatalf("Clean: %v", err)
		}
	}
	_, werr := pw.Write(data[len(data)/2:])
	pw.Close()
	r := <-res
	if werr != nil && r.err == nil {
		t.Fatalf("write to PutBlob: %v", werr)
	}
	if r.err != nil {
		t.Fatalf("PutBlob after concurrent Clean: %v", r.err)
	}
	if r.d != digest.SHA256.FromBytes(data) {
		t.Fatalf("PutBlob digest %s", r.d)
	}
	if !bytes.Equal(get(t, h.Engine, r.d), data) {
		t.Fatal("blob written during Clean reads back wrong")
	}
}

func testCloseIdempotent(t *testing.T, h Harness) {
	d := put(t, h.Engine, []byte("x"))
	for i := range 2 {
		if err := h.Engine.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	if _, err := h.Engine.GetBlob(t.Context(), d); err == nil {
		t.Error("GetBlob on a closed engine succeeded")
	}
	// Closing released the lock: another engine can lock exclusively.
	e := reopen(t, h)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.LockExclusive(ctx); err != nil {
		t.Fatalf("LockExclusive after Close: %v", err)
	}
}
