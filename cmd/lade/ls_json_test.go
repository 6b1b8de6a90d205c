package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestLsJSON(t *testing.T) {
	ml := newMultiLayout(t)
	// An entry whose descriptor carries a platform, an untagged entry, and
	// a tag whose config is missing.
	idx := readIndex(t, ml.path)
	arm := ml.arm
	arm.Annotations = map[string]string{ispec.AnnotationRefName: "arm"}
	idx.Manifests = append(idx.Manifests, arm, ml.amd)
	writeIndex(t, ml.path, idx)
	mustLade(t, "new", "--image", ml.path+":broken")
	var manifest ispec.Manifest
	brokenDesc := readIndex(t, ml.path).Manifests[4]
	data, err := os.ReadFile(filepath.Join(ml.path, "blobs", "sha256", brokenDesc.Digest.Encoded()))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(ml.path, "blobs", "sha256", manifest.Config.Digest.Encoded())); err != nil {
		t.Fatal(err)
	}

	r := mustLade(t, "ls", "--json", "--layout", ml.path)
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("ls --json output is not JSON: %v\n%s", err, r.stdout)
	}
	want := []struct {
		tag, digest, mediaType, platform string
	}{
		{"single", ml.amd.Digest.String(), ispec.MediaTypeImageManifest, "linux/amd64"},
		{"multi", ml.index.Digest.String(), ispec.MediaTypeImageIndex, ""},
		{"arm", ml.arm.Digest.String(), ispec.MediaTypeImageManifest, "linux/arm64/v8"},
		{"broken", brokenDesc.Digest.String(), ispec.MediaTypeImageManifest, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("ls --json has %d entries, want %d:\n%s", len(got), len(want), r.stdout)
	}
	for i, w := range want {
		g := got[i]
		if g["tag"] != w.tag || g["digest"] != w.digest || g["mediaType"] != w.mediaType {
			t.Errorf("entry %d = %v, want %+v", i, g, w)
		}
		if size, ok := g["size"].(float64); !ok || size <= 0 {
			t.Errorf("entry %d size = %v", i, g["size"])
		}
		p, hasPlatform := g["platform"].(map[string]any)
		if w.platform == "" {
			if hasPlatform {
				t.Errorf("entry %d has platform %v, want none", i, p)
			}
			continue
		}
		s := p["os"].(string) + "/" + p["architecture"].(string)
		if v, ok := p["variant"].(string); ok {
			s += "/" + v
		}
		if s != w.platform {
			t.Errorf("entry %d platform = %s, want %s", i, s, w.platform)
		}
	}
	if !strings.Contains(r.stderr, "broken") {
		t.Errorf("no warning about the unreadable platform: %q", r.stderr)
	}
	// Plain ls is unchanged.
	if got := tagsOf(t, ml.path); strings.Join(got, " ") != "single multi arm broken" {
		t.Errorf("ls = %q", got)
	}
	if r := mustLade(t, "ls", "--json", "--layout", newLayout(t)); r.stdout != "[]\n" {
		t.Errorf("ls --json of an empty layout = %q", r.stdout)
	}
}
