package dir

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBlobsSyncedBeforeIndex: the blobs/sha256 directory is synced once
// for the blobs stored before an index write, before the index is renamed
// into place, and at Close for blobs no index named; a blob found already
// stored (perhaps renamed by a process that has not synced yet) counts.
func TestBlobsSyncedBeforeIndex(t *testing.T) {
	root := newLayout(t)
	var synced []string
	defer func(orig func(string) error) { syncDir = orig }(syncDir)
	syncDir = func(path string) error {
		synced = append(synced, filepath.Base(path))
		return syncDirectory(path)
	}
	blobs, layout := filepath.Base(blobDir(root)), filepath.Base(root)
	expect := func(step string, want ...string) {
		t.Helper()
		if !slices.Equal(synced, want) {
			t.Fatalf("%s: synced %v, want %v", step, synced, want)
		}
		synced = nil
	}
	ctx := t.Context()
	e := mustOpen(t, root)
	for _, content := range []string{"one", "two", "three"} {
		if _, _, err := e.PutBlob(ctx, strings.NewReader(content)); err != nil {
			t.Fatal(err)
		}
	}
	expect("three blobs stored")
	if err := e.PutIndex(ctx, emptyIndex()); err != nil {
		t.Fatal(err)
	}
	expect("index written", blobs, layout)
	if err := e.PutIndex(ctx, emptyIndex()); err != nil {
		t.Fatal(err)
	}
	expect("index written again", layout)
	if _, _, err := e.PutBlob(ctx, strings.NewReader("two")); err != nil {
		t.Fatal(err)
	}
	expect("a blob found stored")
	if err := e.PutIndex(ctx, emptyIndex()); err != nil {
		t.Fatal(err)
	}
	expect("index written after it", blobs, layout)
	if _, _, err := e.PutBlob(ctx, strings.NewReader("four")); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	expect("closed with a blob no index names", blobs)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	expect("closed again")
}

// TestCloseAfterLayoutRemoved: a copy that fails removes the layout it
// created before closing its engine; the blobs it stored are gone, and
// Close has nothing to sync.
func TestCloseAfterLayoutRemoved(t *testing.T) {
	root := newLayout(t)
	e := mustOpen(t, root)
	if _, _, err := e.PutBlob(t.Context(), strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

// TestIndexNotRenamedWhenBlobsSyncFails: blobs/sha256 is synced while the
// new index is; if that sync fails the index stays as it was (and the
// blobs count as unsynced still, for the next write).
func TestIndexNotRenamedWhenBlobsSyncFails(t *testing.T) {
	root := newLayout(t)
	before, err := os.ReadFile(filepath.Join(root, indexFile))
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	defer func(orig func(string) error) { syncDir = orig }(syncDir)
	syncDir = func(path string) error {
		if path == blobDir(root) {
			return boom
		}
		return syncDirectory(path)
	}
	ctx := t.Context()
	e := mustOpen(t, root)
	if _, _, err := e.PutBlob(ctx, strings.NewReader("one")); err != nil {
		t.Fatal(err)
	}
	idx := emptyIndex()
	idx.Annotations = map[string]string{"changed": "yes"}
	if err := e.PutIndex(ctx, idx); !errors.Is(err, boom) {
		t.Fatalf("put index: %v, want boom", err)
	}
	after, err := os.ReadFile(filepath.Join(root, indexFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("index.json changed although blobs/sha256 was not synced:\n%s", after)
	}
	syncDir = syncDirectory
	if err := e.PutIndex(ctx, idx); err != nil {
		t.Fatalf("put index after the sync works again: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}
