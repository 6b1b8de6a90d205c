package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// write creates the layout with one tag per image.
func write(layout, outside string) error {
	if err := os.MkdirAll(filepath.Join(layout, "blobs", "sha256"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(layout, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		return err
	}
	imgs := images(outside)
	tags := make([]string, 0, len(imgs))
	for t := range imgs {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	var manifests []descriptor
	for _, tag := range tags {
		d, err := image(layout, imgs[tag], blobTransforms[tag])
		if err != nil {
			return fmt.Errorf("write image %s: %w", tag, err)
		}
		d.Annotations = map[string]string{"org.opencontainers.image.ref.name": tag}
		manifests = append(manifests, d)
	}
	idx, err := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests,
	})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(layout, "index.json"), idx, 0o644)
}

// image writes one image; transform, when not nil, turns each layer's tar
// into the blob stored for it.
func image(layout string, layers [][]entry, transform func([]byte) ([]byte, string, error)) (descriptor, error) {
	var descs []descriptor
	var diffIDs []string
	for _, l := range layers {
		b, err := tarLayer(l)
		if err != nil {
			return descriptor{}, err
		}
		sum := sha256.Sum256(b)
		mediaType := "application/vnd.oci.image.layer.v1.tar"
		if transform != nil {
			if b, mediaType, err = transform(b); err != nil {
				return descriptor{}, err
			}
		}
		d, err := blob(layout, mediaType, b)
		if err != nil {
			return descriptor{}, err
		}
		descs, diffIDs = append(descs, d), append(diffIDs, "sha256:"+hex.EncodeToString(sum[:]))
	}
	cfg, err := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux", "config": map[string]any{},
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	if err != nil {
		return descriptor{}, err
	}
	cd, err := blob(layout, "application/vnd.oci.image.config.v1+json", cfg)
	if err != nil {
		return descriptor{}, err
	}
	m, err := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": cd, "layers": descs,
	})
	if err != nil {
		return descriptor{}, err
	}
	return blob(layout, "application/vnd.oci.image.manifest.v1+json", m)
}

func blob(layout, mediaType string, b []byte) (descriptor, error) {
	sum := sha256.Sum256(b)
	h := hex.EncodeToString(sum[:])
	if err := os.WriteFile(filepath.Join(layout, "blobs", "sha256", h), b, 0o644); err != nil {
		return descriptor{}, err
	}
	return descriptor{MediaType: mediaType, Digest: "sha256:" + h, Size: int64(len(b))}, nil
}

// tarLayer writes the entries; an entry whose size exceeds its content ends
// the stream there (a truncated layer).
func tarLayer(entries []entry) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Typeflag: e.typ, Name: e.name, Linkname: e.link, Mode: 0o644,
			ModTime: time.Unix(1_600_000_000, 0), Format: tar.FormatPAX}
		if e.typ == tar.TypeDir {
			hdr.Mode = 0o755
		}
		if e.typ == tar.TypeReg {
			hdr.Size = int64(len(e.c))
			if e.size != 0 {
				hdr.Size = e.size
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write([]byte(e.c)); err != nil {
			return nil, err
		}
		if hdr.Size > int64(len(e.c)) {
			return buf.Bytes(), nil
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
