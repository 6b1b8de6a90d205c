package imagecopy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/compress"
	"github.com/lade-oci/lade/oci/imagecopy"
	"github.com/lade-oci/lade/oci/imagecopy/imagecopytest"
	"github.com/lade-oci/lade/oci/transport"
)

// source returns a source whose top is one image built from spec.
func source(t *testing.T, spec imagecopytest.ImageSpec) (*imagecopytest.Source, imagecopytest.Image) {
	t.Helper()
	src := imagecopytest.NewSource("")
	img := src.AddImage(spec)
	top := img.Manifest
	top.Platform = nil
	src.SetTop(top)
	return src, img
}

// copyOK runs Copy with a temporary TempDir and fails the test on error.
// It checks that no temporary file is left behind.
func copyOK(t *testing.T, src *imagecopytest.Source, dst *imagecopytest.Destination, opts imagecopy.Options) imagecopy.Result {
	t.Helper()
	res, err := copyImage(t, src, dst, opts)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	return res
}

func copyImage(t *testing.T, src transport.Source, dst destination, opts imagecopy.Options) (imagecopy.Result, error) {
	t.Helper()
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	res, err := imagecopy.Copy(context.Background(), src, dst, opts)
	if left, _ := os.ReadDir(opts.TempDir); len(left) != 0 {
		t.Errorf("temporary files left in TempDir: %v", left)
	}
	if err == nil {
		d, raw := dst.Committed()
		if d == nil || d.Digest != res.Descriptor.Digest || !bytes.Equal(raw, res.Manifest) {
			t.Errorf("result %v does not describe the committed %v", res.Descriptor, d)
		}
		if digest.FromBytes(res.Manifest) != res.Descriptor.Digest || int64(len(res.Manifest)) != res.Descriptor.Size {
			t.Errorf("result descriptor does not match its bytes")
		}
	}
	return res, err
}

// destination is a fake destination, with or without Mount.
type destination interface {
	transport.Destination
	Committed() (*ispec.Descriptor, []byte)
}

// mustCommitted returns the committed top and fails the test if there is none.
func mustCommitted(t *testing.T, dst *imagecopytest.Destination) (ispec.Descriptor, []byte) {
	t.Helper()
	d, raw := dst.Committed()
	if d == nil {
		t.Fatal("nothing committed")
	}
	return *d, raw
}

// notCommitted fails the test if dst was committed.
func notCommitted(t *testing.T, dst *imagecopytest.Destination) {
	t.Helper()
	if d, _ := dst.Committed(); d != nil {
		t.Errorf("destination committed %s after a failed copy", d.Digest)
	}
}

func decodeManifest(t *testing.T, raw []byte) ispec.Manifest {
	t.Helper()
	var m ispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func decodeIndex(t *testing.T, raw []byte) ispec.Index {
	t.Helper()
	var idx ispec.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// decompressed returns the content of a stored layer, decompressed with alg.
func decompressed(t *testing.T, dst *imagecopytest.Destination, d ispec.Descriptor, alg compress.Algorithm) []byte {
	t.Helper()
	blob, ok := dst.Blob(d.Digest)
	if !ok {
		t.Fatalf("layer %s not stored", d.Digest)
	}
	r, err := alg.Decompress(bytes.NewReader(blob))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compressZstd(t *testing.T) compress.Algorithm {
	t.Helper()
	return compress.Zstd
}
