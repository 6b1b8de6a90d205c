package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// layerTar is an uncompressed layer: a tar holding one file per name, whose
// content is the name repeated (so layers differ by their names).
func layerTar(t testing.TB, names ...string) string {
	t.Helper()
	var entries []entry
	for _, n := range names {
		entries = append(entries, file(n, n+"\n"))
	}
	return string(tarBytes(t, entries...))
}

// gzipped is s gzip-compressed.
func gzipped(t testing.TB, s string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.WriteString(zw, s); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// imageConfig is a Docker image config whose diff_ids are those of the
// given uncompressed layers.
func imageConfig(t testing.TB, layers ...string) string {
	t.Helper()
	diffIDs := []digest.Digest{}
	for _, l := range layers {
		diffIDs = append(diffIDs, digest.FromString(l))
	}
	data, err := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config": map[string]any{"Cmd": []string{"/bin/sh"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// legacyImg is one image of a legacy archive: its config, its layers
// (content as stored) and tags.
type legacyImg struct {
	config string
	layers []string
	tags   []string
}

// configName is the member name Docker and skopeo give a config.
func configName(config string) string { return digest.FromString(config).Encoded() + ".json" }

// manifestJSON renders manifest.json for images whose layer member names
// are names[i].
func manifestJSON(t testing.TB, imgs []legacyImg, names [][]string) string {
	t.Helper()
	var out []map[string]any
	for i, img := range imgs {
		ent := map[string]any{"Config": configName(img.config), "Layers": names[i]}
		if img.tags != nil {
			ent["RepoTags"] = img.tags
		} else {
			ent["RepoTags"] = nil
		}
		out = append(out, ent)
	}
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// dockerStyle renders imgs the way docker save before 25 does: directories
// "<id>/" holding VERSION, json and layer.tar, a layer seen before stored
// as a symlink to its first copy, "<hex>.json" configs, manifest.json and
// repositories.
func dockerStyle(t testing.TB, imgs ...legacyImg) []entry {
	t.Helper()
	var entries []entry
	seen := map[string]string{} // layer content -> first member name
	names := make([][]string, len(imgs))
	for i, img := range imgs {
		names[i] = []string{}
		entries = append(entries, file(configName(img.config), img.config))
		for j, l := range img.layers {
			id := digest.FromString(fmt.Sprintf("chain %d %d", i, j)).Encoded()
			name := id + "/layer.tar"
			entries = append(entries, link(tar.TypeDir, id+"/", ""),
				file(id+"/VERSION", "1.0"), file(id+"/json", `{"id":"`+id+`"}`))
			if first, ok := seen[l]; ok {
				entries = append(entries, link(tar.TypeSymlink, name, "../"+first))
			} else {
				seen[l] = name
				entries = append(entries, file(name, l))
			}
			names[i] = append(names[i], name)
		}
	}
	return append(entries, file("manifest.json", manifestJSON(t, imgs, names)),
		file("repositories", `{"busybox":{"latest":"x"}}`))
}

// skopeoStyle renders imgs the way skopeo's docker-archive: transport does:
// "<hex>.tar" layers (each once), "<hex>.json" configs, legacy "<id>/"
// directories whose layer.tar is a symlink nothing refers to, and
// manifest.json last.
func skopeoStyle(t testing.TB, imgs ...legacyImg) []entry {
	t.Helper()
	var entries []entry
	seen := map[string]bool{}
	names := make([][]string, len(imgs))
	for i, img := range imgs {
		names[i] = []string{}
		for _, l := range img.layers {
			name := digest.FromString(l).Encoded() + ".tar"
			if !seen[name] {
				seen[name] = true
				entries = append(entries, file(name, l))
				id := digest.FromString("id " + name).Encoded()
				entries = append(entries, link(tar.TypeSymlink, id+"/layer.tar", "../"+name), file(id+"/VERSION", "1.0"))
			}
			names[i] = append(names[i], name)
		}
		entries = append(entries, file(configName(img.config), img.config))
	}
	return append(entries, file("manifest.json", manifestJSON(t, imgs, names)))
}

// refs maps every ref name of e's index to its descriptor.
func refs(t *testing.T, e *Engine) map[string]ispec.Descriptor {
	t.Helper()
	idx, err := e.GetIndex(t.Context())
	if err != nil {
		t.Fatalf("GetIndex: %v", err)
	}
	out := map[string]ispec.Descriptor{}
	for _, d := range idx.Manifests {
		out[d.Annotations[ispec.AnnotationRefName]] = d
	}
	if len(out) != len(idx.Manifests) {
		t.Fatalf("index has %d entries for %d names", len(idx.Manifests), len(out))
	}
	return out
}

// readManifest reads and parses the manifest d names, checking its size.
func readManifest(t *testing.T, e *Engine, d ispec.Descriptor) ispec.Manifest {
	t.Helper()
	data, err := readAll(t, e, d.Digest)
	if err != nil {
		t.Fatalf("read manifest %s: %v", d.Digest, err)
	}
	if int64(len(data)) != d.Size {
		t.Fatalf("manifest %s has %d bytes, descriptor says %d", d.Digest, len(data), d.Size)
	}
	var m ispec.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
