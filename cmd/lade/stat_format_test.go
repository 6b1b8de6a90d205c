package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	demoManifestDigest  = "sha256:11c070471c76abcf2b817d33c601646c9ab85157582e3f76c82f7e817b2b5543"
	blankManifestDigest = "sha256:2212c76866e6efd523a244d9f298a8c051c4c0925af9b1eb1b660091b1c6ce7d"
)

// readTestBlob reads a blob of the example layout in testdata.
func readTestBlob(t *testing.T, d digest.Digest) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "umoci-layout", "blobs", "sha256", d.Encoded()))
	if err != nil {
		t.Fatalf("read blob: %v", err)
	}
	return b
}

// loadTestStat builds the statImage of a manifest of the example layout
// without going through the CAS (the format is tested on its own here).
func loadTestStat(t *testing.T, d digest.Digest, tag string) *statImage {
	t.Helper()
	raw := readTestBlob(t, d)
	s := &statImage{Manifest: statBlob{
		Descriptor: ispec.Descriptor{
			MediaType:   ispec.MediaTypeImageManifest,
			Digest:      d,
			Size:        int64(len(raw)),
			Annotations: map[string]string{ispec.AnnotationRefName: tag},
		},
		Blob: raw,
	}}
	if err := json.Unmarshal(raw, &s.manifest); err != nil {
		t.Fatalf("parse manifest: %v", err)
	}
	cfgRaw := readTestBlob(t, s.manifest.Config.Digest)
	s.Config = &statBlob{Descriptor: s.manifest.Config, Blob: cfgRaw}
	s.config = new(ispec.Image)
	if err := json.Unmarshal(cfgRaw, s.config); err != nil {
		t.Fatalf("parse config: %v", err)
	}
	return s
}

func TestStatGolden(t *testing.T) {
	for _, tc := range []struct {
		name, tag string
		digest    digest.Digest
	}{
		{"demo", "demo", demoManifestDigest},
		{"blank", "blank", blankManifestDigest},
	} {
		s := loadTestStat(t, tc.digest, tc.tag)
		for _, format := range []struct {
			ext   string
			write func(*bytes.Buffer, *statImage) error
		}{
			{"txt", func(b *bytes.Buffer, s *statImage) error { return writeStatText(b, s) }},
			{"json", func(b *bytes.Buffer, s *statImage) error { return writeStatJSON(b, s) }},
		} {
			t.Run(tc.name+"."+format.ext, func(t *testing.T) {
				want, err := os.ReadFile(filepath.Join("testdata", tc.name+".stat."+format.ext))
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				if err := format.write(&got, s); err != nil {
					t.Fatalf("write: %v", err)
				}
				if got.String() != string(want) {
					t.Errorf("output differs from golden file\n--- got ---\n%s\n--- want ---\n%s", got.String(), want)
				}
			})
		}
	}
}

func TestStatTextMissingCreated(t *testing.T) {
	s := loadTestStat(t, demoManifestDigest, "demo")
	s.config.Created = nil
	s.config.History[0].Created = nil
	var b bytes.Buffer
	if err := writeStatText(&b, s); err != nil {
		t.Fatalf("write: %v", err)
	}
	out := b.String()
	// umoci omits the config's Created line when there is none.
	if strings.Contains(out, "Created:") {
		t.Errorf("config without created has a Created line:\n%s", out)
	}
	if !strings.Contains(out, "caefabb29f429b4cfa128f5f31987ad8ca332237f1448a28cbbac10355528be2 <none> ") {
		t.Errorf("history entry without created not shown as <none>:\n%s", out)
	}
}

func TestStatHistoryMoreEntriesThanLayers(t *testing.T) {
	s := loadTestStat(t, demoManifestDigest, "demo")
	s.manifest.Layers = s.manifest.Layers[:1]
	s.config.RootFS.DiffIDs = s.config.RootFS.DiffIDs[:1]
	h := s.history()
	if len(h) != 3 {
		t.Fatalf("got %d entries, want 3", len(h))
	}
	if h[0].Layer == nil || h[0].DiffID == "" {
		t.Errorf("first entry lost its layer: %+v", h[0])
	}
	if h[1].Layer != nil || h[1].DiffID != "" {
		t.Errorf("entry beyond the last layer got a layer: %+v", h[1])
	}
	var b bytes.Buffer
	if err := writeStatText(&b, s); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func TestStatNonImageConfig(t *testing.T) {
	s := loadTestStat(t, blankManifestDigest, "blank")
	s.config = nil
	var txt, js bytes.Buffer
	if err := writeStatText(&txt, s); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(txt.String(), "== HISTORY ==") || !strings.Contains(txt.String(), "== CONFIG ==") {
		t.Errorf("unexpected sections:\n%s", txt.String())
	}
	if err := writeStatJSON(&js, s); err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(js.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["history"]; ok {
		t.Errorf("history present for a non-image config: %s", js.String())
	}
	if _, ok := m["config"]; !ok {
		t.Errorf("config missing: %s", js.String())
	}
}

func TestStatDescriptorExtras(t *testing.T) {
	s := loadTestStat(t, blankManifestDigest, "blank")
	s.manifest.Config.URLs = []string{"https://example.com/a b"}
	s.manifest.Config.ArtifactType = "application/x.test"
	s.manifest.Config.Data = bytes.Repeat([]byte{'x'}, 300)
	s.manifest.Subject = &ispec.Descriptor{MediaType: ispec.MediaTypeImageManifest, Digest: blankManifestDigest, Size: 1500}
	var b bytes.Buffer
	if err := writeStatText(&b, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\t\tArtifact Type: application/x.test\n",
		"\t\tURLs:\n\t\t\t\"https://example.com/a b\"\n",
		"\t\tData: (300 bytes)\n\t\t\t0000: 7878 7878 7878 7878 7878 7878 7878 7878  xxxxxxxxxxxxxxxx\n",
		"\t\t\t00f0: 7878 7878 7878 7878 7878 7878 7878 7878  xxxxxxxxxxxxxxxx\n\t\t\t....  (extra 44 bytes omitted)\n",
		"Subject:\n\tDescriptor:\n",
		"\t\tSize: 1.5kB\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}

func TestHumanSize(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "0B"}, {386, "386B"}, {999, "999B"}, {1000, "1kB"}, {2175, "2.175kB"},
		{12345, "12.35kB"}, {1500000, "1.5MB"}, {999999, "1000kB"}, {3 * 1000 * 1000 * 1000, "3GB"},
	} {
		if got := humanSize(tc.in); got != tc.want {
			t.Errorf("humanSize(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	for _, tc := range []struct {
		in      string
		precise bool
		want    string
	}{
		{"app", true, "app"},
		{"", true, `""`},
		{"", false, ""},
		{"Demo Author", true, `"Demo Author"`},
		{"umoci insert", false, "umoci insert"},
		{"a\tb", false, `"a\tb"`},
		{"bell\a", true, `"bell\a"`},
		{"ünïcode", true, "ünïcode"},
		{`say "hi"`, false, `"say \"hi\""`},
		{`back\slash`, false, `"back\\slash"`},
	} {
		if got := quote(tc.in, tc.precise); got != tc.want {
			t.Errorf("quote(%q, %v) = %s, want %s", tc.in, tc.precise, got, tc.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	ts := time.Date(2023, 11, 14, 22, 13, 20, 500, time.UTC)
	if got, want := formatTime(&ts), "2023-11-14T22:13:20.0000005Z"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
