package testimage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// blobWriter writes one blob to a temporary file in blobs/sha256 and
// renames it to its digest on commit.
type blobWriter struct {
	f    *os.File
	h    hash.Hash
	size int64
}

func newBlobWriter(layout string) (*blobWriter, error) {
	f, err := os.CreateTemp(filepath.Join(layout, "blobs", "sha256"), ".testimage-tmp-")
	if err != nil {
		return nil, fmt.Errorf("create blob: %w", err)
	}
	return &blobWriter{f: f, h: sha256.New()}, nil
}

func (w *blobWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.size += int64(n)
	return n, err
}

// commit closes the blob and moves it into place, returning its descriptor.
func (w *blobWriter) commit(mediaType string) (ispec.Descriptor, error) {
	hexSum := hex.EncodeToString(w.h.Sum(nil))
	if err := w.f.Chmod(0o644); err != nil {
		w.abort()
		return ispec.Descriptor{}, fmt.Errorf("chmod blob: %w", err)
	}
	if err := w.f.Close(); err != nil {
		_ = os.Remove(w.f.Name())
		return ispec.Descriptor{}, fmt.Errorf("close blob: %w", err)
	}
	dst := filepath.Join(filepath.Dir(w.f.Name()), hexSum)
	if err := os.Rename(w.f.Name(), dst); err != nil {
		_ = os.Remove(w.f.Name())
		return ispec.Descriptor{}, fmt.Errorf("rename blob: %w", err)
	}
	return ispec.Descriptor{
		MediaType: mediaType,
		Digest:    digest.NewDigestFromEncoded(digest.SHA256, hexSum),
		Size:      w.size,
	}, nil
}

func (w *blobWriter) abort() {
	_ = w.f.Close()
	_ = os.Remove(w.f.Name())
}

// encodeJSON encodes v the way umoci does: Go's encoder, compact, trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return buf.Bytes(), nil
}

// putJSON stores v as a blob of the given media type.
func putJSON(layout, mediaType string, v any) (ispec.Descriptor, error) {
	data, err := encodeJSON(v)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	w, err := newBlobWriter(layout)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	if _, err := w.Write(data); err != nil {
		w.abort()
		return ispec.Descriptor{}, fmt.Errorf("write blob: %w", err)
	}
	return w.commit(mediaType)
}

// countingHash hashes and counts the uncompressed tar stream (the diff_id).
type countingHash struct {
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.h.Write(p)
	c.n += int64(len(p))
	return len(p), nil
}

// putLayer writes one layer blob and returns its descriptor, diff_id and tar size.
func putLayer(ctx context.Context, layout string, l Layer) (ispec.Descriptor, digest.Digest, int64, error) {
	mt, err := l.Compression.mediaType()
	if err != nil {
		return ispec.Descriptor{}, "", 0, err
	}
	bw, err := newBlobWriter(layout)
	if err != nil {
		return ispec.Descriptor{}, "", 0, err
	}
	zw, err := l.Compression.writer(bw)
	if err != nil {
		bw.abort()
		return ispec.Descriptor{}, "", 0, err
	}
	diff := &countingHash{h: sha256.New()}
	if err := writeTar(ctx, io.MultiWriter(diff, zw), l.Entries); err != nil {
		bw.abort()
		return ispec.Descriptor{}, "", 0, err
	}
	if err := zw.Close(); err != nil {
		bw.abort()
		return ispec.Descriptor{}, "", 0, fmt.Errorf("close compressor: %w", err)
	}
	desc, err := bw.commit(mt)
	if err != nil {
		return ispec.Descriptor{}, "", 0, err
	}
	if desc.Size != diff.n {
		desc.Annotations = map[string]string{"ci.umo.uncompressed_blob_size": strconv.FormatInt(diff.n, 10)}
	}
	return desc, digest.NewDigestFromEncoded(digest.SHA256, hex.EncodeToString(diff.h.Sum(nil))), diff.n, nil
}

// initLayout creates the layout skeleton at dir if it is missing.
func initLayout(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o755); err != nil {
		return fmt.Errorf("create layout: %w", err)
	}
	ol := filepath.Join(dir, ispec.ImageLayoutFile)
	if _, err := os.Stat(ol); errors.Is(err, os.ErrNotExist) {
		data, err := encodeJSON(ispec.ImageLayout{Version: ispec.ImageLayoutVersion})
		if err != nil {
			return err
		}
		if err := os.WriteFile(ol, data, 0o644); err != nil {
			return fmt.Errorf("write oci-layout: %w", err)
		}
	}
	return nil
}

// setTag records desc under tag in index.json, replacing entries with the same tag.
func setTag(dir, tag string, desc ispec.Descriptor) (ispec.Descriptor, error) {
	idxPath := filepath.Join(dir, "index.json")
	idx := ispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}}
	data, err := os.ReadFile(idxPath)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &idx); err != nil {
			return ispec.Descriptor{}, fmt.Errorf("parse index.json: %w", err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return ispec.Descriptor{}, fmt.Errorf("read index.json: %w", err)
	}
	idx.MediaType = ispec.MediaTypeImageIndex
	kept := []ispec.Descriptor{}
	for _, d := range idx.Manifests {
		if d.Annotations[ispec.AnnotationRefName] != tag {
			kept = append(kept, d)
		}
	}
	desc.Annotations = map[string]string{ispec.AnnotationRefName: tag}
	idx.Manifests = append(kept, desc)
	out, err := encodeJSON(idx)
	if err != nil {
		return ispec.Descriptor{}, err
	}
	tmp := idxPath + ".testimage-tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return ispec.Descriptor{}, fmt.Errorf("write index.json: %w", err)
	}
	if err := os.Rename(tmp, idxPath); err != nil {
		return ispec.Descriptor{}, fmt.Errorf("rename index.json: %w", err)
	}
	return desc, nil
}
