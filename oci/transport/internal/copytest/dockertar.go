package copytest

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// DockerImage is one image of a docker-archive written by
// WriteDockerArchive: the image tagged Tag in the layout Layout, listed with
// RepoTags (as written, nil for none).
type DockerImage struct {
	Layout, Tag string
	RepoTags    []string
}

// WriteDockerArchive writes a "docker save"-style archive at path: per
// image "<config hex>.json" and "<layer hex>/layer.tar" members (layers as
// stored, compressed or not) and manifest.json listing the images in order.
func WriteDockerArchive(t testing.TB, path string, images ...DockerImage) {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	written := map[string]bool{}
	add := func(name string, data []byte) {
		if written[name] {
			return
		}
		written[name] = true
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(data)), Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	type entry struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	var entries []entry
	for _, img := range images {
		engine, err := dir.Open(ctx, img.Layout)
		if err != nil {
			t.Fatal(err)
		}
		e := casext.NewEngine(engine)
		p, err := e.ResolveOne(ctx, img.Tag)
		if err != nil {
			t.Fatal(err)
		}
		m := readJSON[ispec.Manifest](t, e, p.Descriptor())
		ent := entry{Config: m.Config.Digest.Encoded() + ".json", RepoTags: img.RepoTags}
		if ent.RepoTags == nil {
			ent.RepoTags = []string{}
		}
		add(ent.Config, readBlob(t, e, m.Config))
		for _, l := range m.Layers {
			name := l.Digest.Encoded() + "/layer.tar"
			add(name, readBlob(t, e, l))
			ent.Layers = append(ent.Layers, name)
		}
		entries = append(entries, ent)
		engine.Close()
	}
	data, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	add("manifest.json", data)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readBlob(t testing.TB, e casext.Engine, d ispec.Descriptor) []byte {
	t.Helper()
	rc, err := e.GetVerifiedBlob(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func readJSON[T any](t testing.TB, e casext.Engine, d ispec.Descriptor) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(readBlob(t, e, d), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
