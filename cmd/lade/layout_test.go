package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// writeBlob stores data in a layout's blob directory (bypassing lade).
func writeBlob(t *testing.T, layout string, data []byte) digest.Digest {
	t.Helper()
	d := digest.FromBytes(data)
	if err := os.WriteFile(filepath.Join(layout, "blobs", "sha256", d.Encoded()), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// writeIndex replaces a layout's index.json (bypassing lade).
func writeIndex(t *testing.T, layout string, idx ispec.Index) {
	t.Helper()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(idx); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(layout, "index.json"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// countBlobs counts the files in blobs/sha256.
func countBlobs(t *testing.T, layout string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(layout, "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
