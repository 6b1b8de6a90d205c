package mtreeutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"
)

// streamed returns what WriteWalk writes for root, without the header
// lines that vary between runs.
func streamed(t *testing.T, root string, opts WalkOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteWalk(t.Context(), root, &buf, opts); err != nil {
		t.Fatalf("WriteWalk: %v", err)
	}
	dh, err := mtree.ParseSpec(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("parse streamed manifest: %v", err)
	}
	return body(t, dh)
}

// wideTree adds a tree of many directories and files to a varied tree, so
// that the listers run ahead of the writer and listings wait for it.
func wideTree(t *testing.T) string {
	t.Helper()
	root := variedTree(t)
	for i := range 12 {
		for j := range 6 {
			d := filepath.Join(root, "wide", fmt.Sprintf("d%02d", i), fmt.Sprintf("s%d", j), "deep")
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			for k := range 5 {
				if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%d", k)), []byte(strings.Repeat("z", i*j*k)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return root
}

func TestWriteWalkMatchesWalk(t *testing.T) {
	root := wideTree(t)
	for _, kws := range [][]mtree.Keyword{
		nil, // umoci's
		{"sha256digest", "type", "size", "xattr", "mode"},
		{"type", "uid", "gid", "nlink", "time"},
		{"type", "size", "sha1digest"}, // not scannable: falls back to Walk
	} {
		t.Run(fmt.Sprint(kws), func(t *testing.T) {
			opts := WalkOptions{Keywords: kws}
			dh, err := Walk(t.Context(), root, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := streamed(t, root, opts), body(t, dh); got != want {
				t.Errorf("WriteWalk differs from Walk:\n--- got\n%s\n--- want\n%s", got, want)
			}
		})
	}
}

func TestWriteWalkDigestsAndRecord(t *testing.T) {
	root := wideTree(t)
	fake := digest.FromString("not the content")
	known := func(rel string, fi os.FileInfo) (digest.Digest, bool) {
		if rel == "hello.txt" {
			return fake, true
		}
		return "", false
	}
	walked := NewStatCache()
	dh, err := Walk(t.Context(), root, WalkOptions{Digest: known, Record: walked})
	if err != nil {
		t.Fatal(err)
	}
	bundle := t.TempDir()
	var text string
	err = WriteStatCache(t.Context(), bundle, func(rec Recorder) error {
		text = streamed(t, root, WalkOptions{Digest: known, Record: rec})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := body(t, dh); text != want {
		t.Errorf("WriteWalk differs from Walk:\n--- got\n%s\n--- want\n%s", text, want)
	}
	if !strings.Contains(text, fake.Encoded()) {
		t.Error("the known digest of hello.txt was not used")
	}
	loaded, err := LoadStatCache(t.Context(), bundle)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Len() != walked.Len() || loaded.Len() < 400 {
		t.Fatalf("stat cache has %d files, Walk recorded %d", loaded.Len(), walked.Len())
	}
	for rel, e := range walked.entries {
		if got := loaded.entries[rel]; got != e {
			t.Errorf("%s: stat cache has %+v, Walk recorded %+v", rel, got, e)
		}
	}
}

func TestWriteWalkErrors(t *testing.T) {
	root := wideTree(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := WriteWalk(ctx, root, &bytes.Buffer{}, WalkOptions{}); err == nil {
		t.Error("cancelled walk: no error")
	}
	if err := WriteWalk(t.Context(), filepath.Join(root, "missing"), &bytes.Buffer{}, WalkOptions{}); err == nil {
		t.Error("missing root: no error")
	}
	// A directory that cannot be listed fails the walk.
	bad := filepath.Join(root, "wide/d07/s2")
	failing := WalkOptions{FsEval: failingReaddir{mtree.DefaultFsEval{}, bad}}
	if err := WriteWalk(t.Context(), root, &bytes.Buffer{}, failing); !errors.Is(err, errListing) {
		t.Errorf("unlistable directory: got %v", err)
	}
}

var errListing = errors.New("listing failed")

// failingReaddir fails to list one directory.
type failingReaddir struct {
	mtree.FsEval
	bad string
}

func (f failingReaddir) Readdir(path string) ([]os.FileInfo, error) {
	if path == f.bad {
		return nil, errListing
	}
	return f.FsEval.Readdir(path)
}

// TestWriteWalkManifestFallsBack: an entry deep in the tree whose keyword
// functions give no uid (which the streamed scan cannot describe) makes
// WriteWalkManifest start over with go-mtree's walk: the file holds the
// same manifest as WriteManifest of Walk, not a failure or a torn stream.
func TestWriteWalkManifestFallsBack(t *testing.T) {
	root := wideTree(t)
	opts := WalkOptions{FsEval: noUID{mtree.DefaultFsEval{}, filepath.Join(root, "wide/d09/s3/deep/f2")}}
	var buf bytes.Buffer
	if err := WriteWalk(t.Context(), root, &buf, opts); !errors.Is(err, errScanFallback) {
		t.Fatalf("WriteWalk: got %v, want the scan to give up (else this test checks nothing)", err)
	}
	dir := t.TempDir()
	got := filepath.Join(dir, "streamed.mtree")
	if err := WriteWalkManifest(t.Context(), got, root, opts); err != nil {
		t.Fatalf("WriteWalkManifest: %v", err)
	}
	dh, err := Walk(t.Context(), root, opts)
	if err != nil {
		t.Fatal(err)
	}
	gotDH, err := ReadManifest(t.Context(), got)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := body(t, gotDH), body(t, dh); g != w {
		t.Errorf("manifest after fallback differs from Walk's:\n--- got\n%s\n--- want\n%s", g, w)
	}
}

// noUID drops the uid keyword of one path.
type noUID struct {
	mtree.FsEval
	path string
}

func (n noUID) KeywordFunc(fn mtree.KeywordFunc) mtree.KeywordFunc {
	inner := n.FsEval.KeywordFunc(fn)
	return func(path string, info os.FileInfo, r io.Reader) ([]mtree.KeyVal, error) {
		kvs, err := inner(path, info, r)
		if path != n.path {
			return kvs, err
		}
		var out []mtree.KeyVal
		for _, kv := range kvs {
			if kv.Keyword() != "uid" {
				out = append(out, kv)
			}
		}
		return out, err
	}
}
