package inspect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// imageSource returns a memSource holding one image: config (of media
// type configType) and a manifest of media type mt listing two layers
// (which inspect never reads), named name.
func imageSource(t *testing.T, name, mt, configType, config string) *memSource {
	t.Helper()
	s := &memSource{name: mustParse(t, name)}
	cfg := s.put(configType, []byte(config))
	layerType := mediatype.LayerGzip
	if mt == mediatype.DockerManifest {
		layerType = mediatype.DockerLayerGzip
	}
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"config":{"mediaType":%q,"digest":%q,"size":%d},`+
		`"layers":[{"mediaType":%q,"digest":"sha256:%s","size":1},{"mediaType":%q,"digest":"sha256:%s","size":2}]}`,
		mt, configType, cfg.Digest, cfg.Size, layerType, strings.Repeat("a", 64), layerType, strings.Repeat("b", 64))
	s.top = s.put(mt, []byte(manifest))
	return s
}

func inspectJSON(t *testing.T, src transport.Source, opts Options) string {
	t.Helper()
	out, err := Inspect(context.Background(), src, opts)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, out); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestInspectGolden pins the output for an OCI image byte for byte (the
// same code path TestInspectLayoutAgainstSkopeo compares with skopeo).
func TestInspectGolden(t *testing.T) {
	src := imageSource(t, "oci:/x:t", mediatype.Manifest, mediatype.Config, customConfig)
	want := `{
    "Digest": "sha256:` + digest.FromBytes(src.blobs[src.top.Digest]).Encoded() + `",
    "RepoTags": [],
    "Created": null,
    "DockerVersion": "20.10.1",
    "Labels": {
        "a": "\u003c1\u003e",
        "b": "2"
    },
    "Architecture": "arm64",
    "Os": "linux",
    "Layers": [
        "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    ],
    "LayersData": [
        {
            "MIMEType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "Digest": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "Size": 1,
            "Annotations": null
        },
        {
            "MIMEType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "Digest": "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            "Size": 2,
            "Annotations": null
        }
    ],
    "Env": [
        "A=1",
        "HTML=\u003c\u0026\u003e"
    ]
}
`
	if got := inspectJSON(t, src, Options{}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	// A minimal OCI config: null Created, Labels and Env.
	src = imageSource(t, "oci:/x:t", mediatype.Manifest, mediatype.Config, minimalConfig)
	got := inspectJSON(t, src, Options{})
	for _, line := range []string{`"Created": null,`, `"DockerVersion": "",`, `"Labels": null,`, `"Env": null`} {
		if !strings.Contains(got, "\n    "+line+"\n") {
			t.Errorf("minimal config: no line %s in\n%s", line, got)
		}
	}

	// A Docker config without "created" has the zero time, not null.
	src = imageSource(t, "dir:/x", mediatype.DockerManifest, mediatype.DockerConfig, minimalConfig)
	if got := inspectJSON(t, src, Options{}); !strings.Contains(got, `"Created": "0001-01-01T00:00:00Z",`) {
		t.Errorf("Docker image without created:\n%s", got)
	}
}

func TestInspectNameAndTags(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		tags     []string
		tagsErr  error
		noTags   bool
		wantName string
		wantTags []string // nil: JSON null
		wantErr  string
	}{
		{name: "docker://127.0.0.1:5000/ns/app:v1", tags: []string{"v1", "v2"}, wantName: "127.0.0.1:5000/ns/app", wantTags: []string{"v1", "v2"}},
		{name: "docker://busybox", tags: nil, wantName: "docker.io/library/busybox", wantTags: []string{}},
		{name: "docker://busybox", tags: []string{"x"}, noTags: true, wantName: "docker.io/library/busybox", wantTags: []string{}},
		{name: "docker://busybox", tagsErr: errors.New("GET https://r/v2/x/tags/list: response status code 401: unauthorized"), wantName: "docker.io/library/busybox"},
		{name: "docker://busybox", tagsErr: errors.New("response status code 403: denied"), wantName: "docker.io/library/busybox"},
		{name: "docker://busybox", tagsErr: errors.New("response status code 500: boom"), wantErr: "determine repository tags: response status code 500: boom"},
		{name: "docker-archive:/a.tar:foo/bar:v1", tags: []string{"x"}, wantName: "docker.io/foo/bar", wantTags: []string{}},
		{name: "docker-archive:/a.tar", wantTags: []string{}},
		{name: "oci:/l:t", tags: []string{"x"}, wantTags: []string{}},
	} {
		src := &tagSource{memSource: imageSource(t, tc.name, mediatype.Manifest, mediatype.Config, minimalConfig), tags: tc.tags, err: tc.tagsErr}
		out, err := Inspect(ctx, src, Options{NoTags: tc.noTags})
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if out.Name != tc.wantName {
			t.Errorf("%s: Name %q, want %q", tc.name, out.Name, tc.wantName)
		}
		if fmt.Sprintf("%#v", out.RepoTags) != fmt.Sprintf("%#v", tc.wantTags) {
			t.Errorf("%s: RepoTags %#v, want %#v", tc.name, out.RepoTags, tc.wantTags)
		}
	}
}

func TestInspectRefusals(t *testing.T) {
	ctx := context.Background()
	good := imageSource(t, "oci:/x:t", mediatype.Manifest, mediatype.Config, minimalConfig)
	manifest := good.blobs[good.top.Digest]
	withTop := func(mt, raw string) *memSource {
		s := &memSource{name: good.name, blobs: map[digest.Digest][]byte{}}
		for d, b := range good.blobs {
			s.blobs[d] = b
		}
		s.top = s.put(mt, []byte(raw))
		return s
	}
	nested := withTop(mediatype.Index, `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"`+
		good.top.Digest.String()+`","size":`+fmt.Sprint(good.top.Size)+`}]}`)
	for i := 0; i < maxIndexDepth; i++ {
		nested = withTopFrom(nested, fmt.Sprintf(`{"schemaVersion":2,"manifests":[{"mediaType":%q,"digest":%q,"size":%d}]}`,
			mediatype.Index, nested.top.Digest, nested.top.Size))
	}
	badConfig := imageSource(t, "oci:/x:t", mediatype.Manifest, mediatype.Config, minimalConfig)
	for d, b := range badConfig.blobs {
		if d != badConfig.top.Digest { // same size, other content
			badConfig.blobs[d] = bytes.Replace(b, []byte("amd64"), []byte("evil!"), 1)
		}
	}
	noConfig := imageSource(t, "oci:/x:t", mediatype.Manifest, mediatype.Config, minimalConfig)
	for d := range noConfig.blobs {
		if d != noConfig.top.Digest {
			delete(noConfig.blobs, d)
		}
	}
	for _, tc := range []struct {
		what string
		src  *memSource
		want error
		msg  string
	}{
		{"schema 1", withTop("", `{"schemaVersion":1,"name":"x","tag":"t","fsLayers":[],"signatures":[]}`), transport.ErrUnsupported, "Docker schema 1"},
		{"unknown type", withTop("application/x-thing", `{"mediaType":"application/x-thing"}`), transport.ErrUnsupported, `"application/x-thing"`},
		{"mediaType mismatch", withTop(mediatype.DockerManifest, string(manifest)), nil, "does not match"},
		{"manifest with manifests", withTop(mediatype.Manifest, `{"schemaVersion":2,"config":{},"layers":[],"manifests":[]}`), nil, `unexpected "manifests" field`},
		{"index with layers", withTop(mediatype.Index, `{"schemaVersion":2,"manifests":[],"layers":[]}`), nil, `unexpected "layers" field`},
		{"not an object", withTop(mediatype.Manifest, `[]`), nil, "not a JSON object"},
		{"empty index", withTop(mediatype.Index, `{"schemaVersion":2,"manifests":[]}`), nil, "no image found in image index"},
		{"deep nesting", nested, nil, "nested indexes"},
		{"config digest mismatch", badConfig, cas.ErrDigestMismatch, "read configuration"},
		{"config missing", noConfig, transport.ErrNotFound, "read configuration"},
	} {
		_, err := Inspect(ctx, tc.src, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.msg) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: Inspect error %v, want %q (matching %v)", tc.what, err, tc.msg, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", tc.what, err)
		}
	}

	// An artifact is refused by Inspect and Config, not by ConfigRaw or Raw.
	art := imageSource(t, "oci:/x:t", mediatype.Manifest, "application/vnd.example+json", `{"x":1}`)
	if _, err := Inspect(ctx, art, Options{}); err == nil || !strings.Contains(err.Error(), "artifact") {
		t.Errorf("Inspect(artifact) = %v", err)
	}
	if _, err := Config(ctx, art, Platform{}); err == nil || !strings.Contains(err.Error(), "artifact") {
		t.Errorf("Config(artifact) = %v", err)
	}
	if raw, err := ConfigRaw(ctx, art, Platform{}); err != nil || string(raw) != `{"x":1}` {
		t.Errorf("ConfigRaw(artifact) = %q, %v", raw, err)
	}
	if raw, err := Raw(ctx, art); err != nil || digest.FromBytes(raw) != art.top.Digest {
		t.Errorf("Raw(artifact) = %q, %v", raw, err)
	}
}

// withTopFrom returns a copy of s whose top is a new index raw.
func withTopFrom(s *memSource, raw string) *memSource {
	c := &memSource{name: s.name, blobs: map[digest.Digest][]byte{}}
	for d, b := range s.blobs {
		c.blobs[d] = b
	}
	c.top = c.put(mediatype.Index, []byte(raw))
	return c
}

// TestInspectIndexDigest checks that an index's own digest is the one
// reported, with the chosen image's content.
func TestInspectIndexDigest(t *testing.T) {
	img := imageSource(t, "oci:/x:t", mediatype.Manifest, mediatype.Config, customConfig)
	raw := fmt.Sprintf(`{"schemaVersion":2,"manifests":[{"mediaType":%q,"digest":%q,"size":%d,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}`,
		img.top.MediaType, img.top.Digest, img.top.Size)
	img.top = img.put("", []byte(raw)) // no media type: guessed from the content
	out, err := Inspect(context.Background(), img, Options{Platform: Platform{Architecture: "arm64"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Digest != digest.FromBytes([]byte(raw)) || out.Architecture != "arm64" || out.DockerVersion != "20.10.1" {
		t.Errorf("Inspect(index) = %+v", out)
	}
}
