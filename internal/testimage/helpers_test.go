package testimage

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// readBlob reads a blob and checks it against its descriptor.
func readBlob(t *testing.T, dir string, d ispec.Descriptor) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "blobs", d.Digest.Algorithm().String(), d.Digest.Encoded()))
	if err != nil {
		t.Fatalf("read blob: %v", err)
	}
	if int64(len(data)) != d.Size {
		t.Fatalf("blob %s: size %d, descriptor says %d", d.Digest, len(data), d.Size)
	}
	if got := digest.FromBytes(data); got != d.Digest {
		t.Fatalf("blob %s: content digest is %s", d.Digest, got)
	}
	return data
}

// reread parses the layout independently of the writer and returns the
// manifest, config, and every layer's tar headers (checking diff_ids).
func reread(t *testing.T, dir, tag string) (ispec.Manifest, ispec.Image, [][]*tar.Header) {
	t.Helper()
	var layout ispec.ImageLayout
	unmarshal(t, mustRead(t, filepath.Join(dir, "oci-layout")), &layout)
	if layout.Version != "1.0.0" {
		t.Fatalf("oci-layout version %q", layout.Version)
	}
	var idx ispec.Index
	unmarshal(t, mustRead(t, filepath.Join(dir, "index.json")), &idx)
	var found []ispec.Descriptor
	for _, d := range idx.Manifests {
		if d.Annotations[ispec.AnnotationRefName] == tag {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("tag %q: %d index entries", tag, len(found))
	}
	var man ispec.Manifest
	unmarshal(t, readBlob(t, dir, found[0]), &man)
	var img ispec.Image
	unmarshal(t, readBlob(t, dir, man.Config), &img)
	if len(img.RootFS.DiffIDs) != len(man.Layers) {
		t.Fatalf("%d diff_ids for %d layers", len(img.RootFS.DiffIDs), len(man.Layers))
	}
	var all [][]*tar.Header
	for i, l := range man.Layers {
		raw := readBlob(t, dir, l)
		tr, diff := decompress(t, l.MediaType, raw)
		var hdrs []*tar.Header
		r := tar.NewReader(tr)
		for {
			h, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("layer %d: %v", i, err)
			}
			hdrs = append(hdrs, h)
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			t.Fatalf("drain layer %d: %v", i, err)
		}
		if got := digest.NewDigestFromBytes(digest.SHA256, diff.Sum(nil)); got != img.RootFS.DiffIDs[i] {
			t.Fatalf("layer %d diff_id %s, config says %s", i, got, img.RootFS.DiffIDs[i])
		}
		all = append(all, hdrs)
	}
	return man, img, all
}

type hashReader struct {
	r io.Reader
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func (h *hashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}

func (h *hashReader) Sum(b []byte) []byte { return h.h.Sum(b) }

func decompress(t *testing.T, mt string, raw []byte) (io.Reader, *hashReader) {
	t.Helper()
	var r io.Reader
	switch mt {
	case layerMediaType + "+gzip":
		zr, err := pgzip.NewReader(bytesReader(raw))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	case layerMediaType + "+zstd":
		zr, err := zstd.NewReader(bytesReader(raw))
		if err != nil {
			t.Fatalf("zstd: %v", err)
		}
		t.Cleanup(zr.Close)
		r = zr
	case layerMediaType:
		r = bytesReader(raw)
	default:
		t.Fatalf("unexpected layer media type %q", mt)
	}
	hr := &hashReader{r: r, h: sha256.New()}
	return hr, hr
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func unmarshal(t *testing.T, data []byte, v any) {
	t.Helper()
	if len(data) == 0 || data[len(data)-1] != '\n' {
		t.Errorf("json document %.40q lacks the trailing newline of Go's encoder", data)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("parse %T: %v", v, err)
	}
}

func names(hdrs []*tar.Header) []string {
	var out []string
	for _, h := range hdrs {
		out = append(out, fmt.Sprintf("%c %s", h.Typeflag, h.Name))
	}
	return out
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
