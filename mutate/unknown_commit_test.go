package mutate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/compress"
)

// gzipLayer stores a gzip layer of the given files and returns its
// descriptor (without media type) and diff_id.
func gzipLayer(t *testing.T, e casext.Engine, files ...string) (ispec.Descriptor, digest.Digest) {
	t.Helper()
	tarball := makeTar(t, files...)
	var gz bytes.Buffer
	zw, err := compress.Gzip.Compress(&gz)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if _, err := zw.Write(tarball); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return putRaw(t, e, "", gz.Bytes()), digestOf(tarball)
}

// wildConfig is an image config as found in the wild: Docker-era keys,
// config keys ispec.ImageConfig does not model, vendor extensions, extra
// keys in rootfs and history. %s is the diff_id of the single layer.
const wildConfig = `{
  "architecture": "amd64", "os": "linux", "author": "orig author",
  "created": "2024-05-06T07:08:09Z",
  "docker_version": "24.0.7",
  "container": "0123abcd",
  "x-vendor": {"nested": [1, {"deep": true}], "big": 123456789012345678901234567890},
  "config": {
    "Env": ["PATH=/bin", "A=1"], "Cmd": ["/bin/sh"], "ArgsEscaped": true,
    "Labels": {"keep": "1", "drop": "2"},
    "Healthcheck": {"Test": ["CMD", "true"], "Interval": 30000000000},
    "Shell": ["/bin/bash", "-c"], "OnBuild": ["RUN x"]
  },
  "rootfs": {"type": "layers", "diff_ids": ["%s"], "x-rootfs": "r"},
  "history": [{"created": "2024-05-06T07:08:09Z", "created_by": "base", "x-hist": {"a": 1}}]
}`

// wildImage stores an image whose config, manifest and parent index carry
// keys the image-spec structs do not model, tags the index as "t" and
// returns the descriptor path index → manifest.
func wildImage(t *testing.T, e casext.Engine) casext.DescriptorPath {
	t.Helper()
	ctx := t.Context()
	layer, diffID := gzipLayer(t, e, "etc/wild")
	cfg := putRaw(t, e, mediatype.Config, fmt.Appendf(nil, wildConfig, diffID))
	manifest := fmt.Appendf(nil, `{"schemaVersion":2,"mediaType":%q,
		"config":{"mediaType":%q,"digest":%q,"size":%d,"x-cfgdesc":1},
		"layers":[{"mediaType":%q,"digest":%q,"size":%d,"x-layer":"l",
			"annotations":{"layer.note":"kept"},
			"platform":{"os":"linux","architecture":"amd64","x-plat":1}}],
		"annotations":{"a":"1"},"x-manifest":{"k":"v"}}`,
		mediatype.Manifest, cfg.MediaType, cfg.Digest, cfg.Size,
		mediatype.LayerGzip, layer.Digest, layer.Size)
	man := putRaw(t, e, mediatype.Manifest, manifest)
	other := emptyImage(t, e)
	index := fmt.Appendf(nil, `{"schemaVersion":2,"mediaType":%q,"manifests":[
		{"mediaType":%q,"digest":%q,"size":%d,"x-entry":"e",
			"platform":{"os":"linux","architecture":"amd64","features":["sse4"]}},
		{"mediaType":%q,"digest":%q,"size":%d,"x-other":2}],"x-index":"i"}`,
		mediatype.Index, man.MediaType, man.Digest, man.Size, other.MediaType, other.Digest, other.Size)
	idx := putRaw(t, e, mediatype.Index, index)
	if err := e.UpdateReference(ctx, "t", idx); err != nil {
		t.Fatalf("UpdateReference: %v", err)
	}
	var parsed ispec.Index
	if err := json.Unmarshal(index, &parsed); err != nil {
		t.Fatal(err)
	}
	top, err := e.GetIndex(ctx)
	if err != nil || len(top.Manifests) != 1 {
		t.Fatalf("GetIndex: %+v, %v", top, err)
	}
	return casext.DescriptorPath{Walk: []ispec.Descriptor{top.Manifests[0], parsed.Manifests[0]}}
}

// decodeDoc decodes raw keeping numbers exact.
func decodeDoc(t *testing.T, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

// lookup follows a dotted path (object keys, array indexes) in doc. A key
// holding a dot is written in brackets: config.Labels.[a.b].
func lookup(doc any, path string) (any, bool) {
	cur := doc
	for _, part := range splitPath(path) {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			var i int
			if _, err := fmt.Sscanf(part, "%d", &i); err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func splitPath(path string) []string {
	var parts []string
	for path != "" {
		if strings.HasPrefix(path, "[") {
			end := strings.Index(path, "]")
			parts = append(parts, path[1:end])
			path = strings.TrimPrefix(path[end+1:], ".")
			continue
		}
		part, rest, _ := strings.Cut(path, ".")
		parts = append(parts, part)
		path = rest
	}
	return parts
}

// expect checks that doc has want (JSON) at each path, and nothing at the
// paths mapped to "".
func expect(t *testing.T, what string, raw []byte, want map[string]string) {
	t.Helper()
	doc := decodeDoc(t, raw)
	for path, w := range want {
		got, ok := lookup(doc, path)
		if w == "" {
			if ok {
				t.Errorf("%s: %s = %v, want absent", what, path, got)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: %s missing in %s", what, path, raw)
			continue
		}
		if wantV := decodeDoc(t, []byte(w)); !reflect.DeepEqual(got, wantV) {
			t.Errorf("%s: %s = %v, want %s", what, path, got, w)
		}
	}
}

// unknownKeysKept are the unknown keys of wildImage every edit keeps.
var unknownKeysKept = map[string]map[string]string{
	"config": {
		"docker_version":     `"24.0.7"`,
		"container":          `"0123abcd"`,
		"x-vendor":           `{"nested":[1,{"deep":true}],"big":123456789012345678901234567890}`,
		"config.Healthcheck": `{"Test":["CMD","true"],"Interval":30000000000}`,
		"config.Shell":       `["/bin/bash","-c"]`,
		"config.OnBuild":     `["RUN x"]`,
		"rootfs.x-rootfs":    `"r"`,
	},
	"manifest": {
		"x-manifest":               `{"k":"v"}`,
		"config.x-cfgdesc":         `1`,
		"layers.0.x-layer":         `"l"`,
		"layers.0.platform.x-plat": `1`,
		"layers.0.annotations":     `{"layer.note":"kept"}`,
	},
	"index": {
		"x-index":                       `"i"`,
		"manifests.0.x-entry":           `"e"`,
		"manifests.0.platform.features": `["sse4"]`,
		"manifests.1.x-other":           `2`,
	},
}

func TestCommitKeepsUnknownKeys(t *testing.T) {
	hist := ispec.History{Created: timePtr(fixedTime), CreatedBy: "edit"}
	set := func(t *testing.T, m *Mutator) {
		ctx := t.Context()
		img, err := m.Config(ctx)
		if err != nil {
			t.Fatal(err)
		}
		meta, err := m.Meta(ctx)
		if err != nil {
			t.Fatal(err)
		}
		meta.Author = "new author"
		img.Config.Env = nil // --clear=config.env
		delete(img.Config.Labels, "drop")
		if err := m.Set(ctx, img.Config, meta, map[string]string{"a": "1"}, &hist); err != nil {
			t.Fatalf("Set: %v", err)
		}
	}
	add := func(t *testing.T, m *Mutator) {
		if _, err := m.Add(t.Context(), bytes.NewReader(makeTar(t, "added")), compress.Gzip, &hist, nil); err != nil {
			t.Fatalf("Add: %v", err)
		}
	}
	tests := []struct {
		name   string
		edit   func(t *testing.T, m *Mutator)
		config map[string]string
		man    map[string]string
	}{
		{"set", set, map[string]string{
			"author":           `"new author"`,
			"config.Env":       "",
			"config.Labels":    `{"keep":"1"}`,
			"config.Cmd":       `["/bin/sh"]`,
			"history.0.x-hist": `{"a":1}`,
			"history.1":        `{"created":"2024-05-06T07:08:09.123456789Z","created_by":"edit","empty_layer":true}`,
		}, map[string]string{"layers.1": ""}},
		{"add", add, map[string]string{
			"author":            `"orig author"`,
			"config.Env":        `["PATH=/bin","A=1"]`,
			"history.0.x-hist":  `{"a":1}`,
			"history.1.x-hist":  "",
			"rootfs.diff_ids.1": `"` + string(digestOf(makeTar(t, "added"))) + `"`,
		}, map[string]string{"layers.1.x-layer": "", "layers.1.platform": ""}},
		{"set and add", func(t *testing.T, m *Mutator) { set(t, m); add(t, m) }, map[string]string{
			"config.Env":           "",
			"history.0.x-hist":     `{"a":1}`,
			"history.2.created_by": `"edit"`,
		}, map[string]string{"layers.1.x-layer": ""}},
		{"set layers", func(t *testing.T, m *Mutator) {
			ctx := t.Context()
			man, err := m.Manifest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			img, err := m.Config(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.SetLayers(ctx, man.Layers, img.RootFS.DiffIDs, []ispec.History{hist}); err != nil {
				t.Fatalf("SetLayers: %v", err)
			}
		}, map[string]string{
			// History replaced wholesale: nothing is carried into it.
			"history":          `[{"created":"2024-05-06T07:08:09.123456789Z","created_by":"edit"}]`,
			"history.0.x-hist": "",
		}, nil},
	}
	for _, b := range backends {
		for _, tc := range tests {
			t.Run(b.name+"/"+tc.name, func(t *testing.T) {
				ctx := t.Context()
				e := b.open(t)
				src := wildImage(t, e)
				m, err := New(e, src)
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				tc.edit(t, m)
				path, err := m.Commit(ctx)
				if err != nil {
					t.Fatalf("Commit: %v", err)
				}
				if err := e.UpdateReference(ctx, "t", path.Root()); err != nil {
					t.Fatal(err)
				}
				checkWild(t, e, path, tc.config, tc.man)
				validateLayout(t, e)

				// A second edit of the same mutator still keeps them.
				meta, err := m.Meta(ctx)
				if err != nil {
					t.Fatal(err)
				}
				img, err := m.Config(ctx)
				if err != nil {
					t.Fatal(err)
				}
				meta.Author = "second"
				if err := m.Set(ctx, img.Config, meta, nil, nil); err != nil {
					t.Fatalf("second Set: %v", err)
				}
				path, err = m.Commit(ctx)
				if err != nil {
					t.Fatalf("second Commit: %v", err)
				}
				cfg := maps.Clone(tc.config)
				if cfg == nil {
					cfg = map[string]string{}
				}
				cfg["author"] = `"second"`
				checkWild(t, e, path, cfg, tc.man)
			})
		}
	}
}

// checkWild checks the committed documents of a wildImage edit: the unknown
// keys are all there, and the edit's own expectations hold.
func checkWild(t *testing.T, e casext.Engine, path casext.DescriptorPath, config, man map[string]string) {
	t.Helper()
	if len(path.Walk) != 2 {
		t.Fatalf("path has %d descriptors", len(path.Walk))
	}
	index := readBlob(t, e, path.Walk[0])
	manifest := readBlob(t, e, path.Walk[1])
	var mf ispec.Manifest
	if err := json.Unmarshal(manifest, &mf); err != nil {
		t.Fatal(err)
	}
	cfg := readBlob(t, e, mf.Config)
	expect(t, "index", index, unknownKeysKept["index"])
	expect(t, "manifest", manifest, unknownKeysKept["manifest"])
	expect(t, "config", cfg, unknownKeysKept["config"])
	expect(t, "manifest", manifest, man)
	expect(t, "config", cfg, config)
	// Values survive exactly, not through float64.
	if !bytes.Contains(cfg, []byte(`"big":123456789012345678901234567890`)) {
		t.Errorf("big number not kept verbatim: %s", cfg)
	}
	// The edited manifest is the one the index points at.
	expect(t, "index", index, map[string]string{
		"manifests.0.digest": `"` + string(path.Walk[1].Digest) + `"`,
	})
}

// TestCommitPlainImageUnchangedEncoding checks that an image without
// unknown keys is written as the plain struct encoding, byte for byte.
func TestCommitPlainImageUnchangedEncoding(t *testing.T) {
	ctx := t.Context()
	e := backends[0].open(t)
	n := buildNested(t, e)
	m, err := New(e, n.path)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := m.Config(ctx)
	meta, _ := m.Meta(ctx)
	img.Config.Env = nil
	if err := m.Set(ctx, img.Config, meta, nil, &ispec.History{CreatedBy: "x"}); err != nil {
		t.Fatal(err)
	}
	path, err := m.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	img, _ = m.Config(ctx)
	man, _ := m.Manifest(ctx)
	for _, tc := range []struct {
		name string
		desc ispec.Descriptor
		v    any
	}{
		{"config", man.Config, img},
		{"manifest", path.Descriptor(), man},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if got := readBlob(t, e, tc.desc); !bytes.Equal(got, append(want, '\n')) {
				t.Errorf("blob\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestUnknownKeysReproducible checks that the same edits of an image with
// unknown keys give the same blobs on every backend and every run.
func TestUnknownKeysReproducible(t *testing.T) {
	var roots []digest.Digest
	for _, b := range append(backends, backends...) {
		ctx := t.Context()
		e := b.open(t)
		m, err := New(e, wildImage(t, e))
		if err != nil {
			t.Fatal(err)
		}
		img, _ := m.Config(ctx)
		meta, _ := m.Meta(ctx)
		meta.Author = "x"
		hist := ispec.History{Created: timePtr(fixedTime), CreatedBy: "x"}
		if err := m.Set(ctx, img.Config, meta, nil, &hist); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Add(ctx, bytes.NewReader(makeTar(t, "r")), compress.Zstd, &hist, nil); err != nil {
			t.Fatal(err)
		}
		path, err := m.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, path.Root().Digest)
	}
	for _, r := range roots[1:] {
		if r != roots[0] {
			t.Fatalf("root digests differ: %v", roots)
		}
	}
}

// dockerWildImage stores a Docker v2s2 image as docker build writes it,
// with container_config and other Docker-only keys, and returns its
// manifest descriptor.
func dockerWildImage(t *testing.T, e casext.Engine) ispec.Descriptor {
	t.Helper()
	layer, diffID := gzipLayer(t, e, "bin/hello")
	cfg := putRaw(t, e, mediatype.DockerConfig, fmt.Appendf(nil, `{"architecture":"amd64","os":"linux",
		"config":{"Hostname":"","Env":["PATH=/bin"],"Cmd":["/bin/hello"],"Image":"sha256:0123","OnBuild":null},
		"container":"3f2a","container_config":{"Hostname":"3f2a","Cmd":["/bin/sh","-c","#(nop) CMD [\"/bin/hello\"]"]},
		"created":"2024-05-06T07:08:09Z","docker_version":"24.0.7",
		"history":[{"created":"2024-05-06T07:08:09Z","created_by":"COPY hello /bin/"}],
		"rootfs":{"type":"layers","diff_ids":[%q]}}`, diffID))
	return putRaw(t, e, mediatype.DockerManifest, fmt.Appendf(nil, `{"schemaVersion":2,"mediaType":%q,
		"config":{"mediaType":%q,"size":%d,"digest":%q},
		"layers":[{"mediaType":%q,"size":%d,"digest":%q,"x-docker":"d"}]}`,
		mediatype.DockerManifest, cfg.MediaType, cfg.Size, cfg.Digest,
		mediatype.DockerLayerGzip, layer.Size, layer.Digest))
}

func TestCommitDockerKeepsUnknownKeys(t *testing.T) {
	captureLogs(t)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			e := b.open(t)
			src := dockerWildImage(t, e)
			m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{src}})
			if err != nil {
				t.Fatal(err)
			}
			img, _ := m.Config(ctx)
			meta, _ := m.Meta(ctx)
			img.Config.Cmd = []string{"/bin/edited"}
			if err := m.Set(ctx, img.Config, meta, nil, nil); err != nil {
				t.Fatal(err)
			}
			path, err := m.Commit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.UpdateReference(ctx, "t", path.Root()); err != nil {
				t.Fatal(err)
			}
			manifest := readBlob(t, e, path.Descriptor())
			expect(t, "manifest", manifest, map[string]string{
				"mediaType":          `"` + mediatype.Manifest + `"`,
				"config.mediaType":   `"` + mediatype.Config + `"`,
				"layers.0.mediaType": `"` + mediatype.LayerGzip + `"`,
				"layers.0.x-docker":  `"d"`,
			})
			var mf ispec.Manifest
			if err := json.Unmarshal(manifest, &mf); err != nil {
				t.Fatal(err)
			}
			expect(t, "config", readBlob(t, e, mf.Config), map[string]string{
				"container_config": `{"Hostname":"3f2a","Cmd":["/bin/sh","-c","#(nop) CMD [\"/bin/hello\"]"]}`,
				"container":        `"3f2a"`,
				"docker_version":   `"24.0.7"`,
				"config.Hostname":  `""`,
				"config.Image":     `"sha256:0123"`,
				"config.OnBuild":   `null`,
				"config.Cmd":       `["/bin/edited"]`,
			})
			validateLayout(t, e)
		})
	}
}
