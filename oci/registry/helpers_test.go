package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// setup isolates a test from the machine: auth files and certs.d come
// from empty temporary directories, and the timeouts are short. It
// returns the home directory.
func setup(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(home, "run"))
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("DOCKER_CONFIG", "")
	t.Setenv("REGISTRY_AUTH_FILE", "")
	if err := os.MkdirAll(filepath.Join(home, "run"), 0o700); err != nil {
		t.Fatal(err)
	}
	saved := current
	t.Cleanup(func() { current = saved })
	current.certsDirs = []string{filepath.Join(home, "certs.d")}
	current.retryMinWait = time.Millisecond
	current.retryMaxWait = 5 * time.Millisecond
	current.retryAfterCap = 20 * time.Millisecond
	current.stallTimeout = 5 * time.Second
	current.responseHeaderTimeout = 5 * time.Second
	return home
}

// hostOf returns "127.0.0.1:PORT" of a test server.
func hostOf(srv *httptest.Server) string {
	return strings.TrimPrefix(strings.TrimPrefix(srv.URL, "http://"), "https://")
}

// name parses "docker://" + host + "/" + rest.
func name(t *testing.T, host, rest string) transport.Name {
	t.Helper()
	n, err := transport.Parse("docker://" + host + "/" + rest)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// testRetryTimes is the RetryTimes of plain(): lade's CLI default.
const testRetryTimes = 3

// plain are Options for a plain-HTTP test registry, with testRetryTimes.
func plain() transport.Options {
	f := false
	return transport.Options{TLSVerify: &f, RetryTimes: testRetryTimes}
}

// testImage is a manifest with a config and one layer.
type testImage struct {
	config, layer []byte
	manifest      []byte
	desc          ispec.Descriptor // the manifest's
}

func newTestImage(t *testing.T, seed string) testImage {
	t.Helper()
	img := testImage{config: []byte(`{"architecture":"amd64","os":"linux","seed":"` + seed + `"}`), layer: bytes.Repeat([]byte(seed), 40000)}
	m := ispec.Manifest{
		MediaType: mediatype.Manifest,
		Config:    ispec.Descriptor{MediaType: mediatype.Config, Digest: digest.FromBytes(img.config), Size: int64(len(img.config))},
		Layers:    []ispec.Descriptor{{MediaType: mediatype.LayerGzip, Digest: digest.FromBytes(img.layer), Size: int64(len(img.layer))}},
	}
	m.SchemaVersion = 2
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	img.manifest = raw
	img.desc = ispec.Descriptor{MediaType: mediatype.Manifest, Digest: digest.FromBytes(raw), Size: int64(len(raw))}
	return img
}

func (img testImage) configDesc() ispec.Descriptor {
	return ispec.Descriptor{MediaType: mediatype.Config, Digest: digest.FromBytes(img.config), Size: int64(len(img.config))}
}

func (img testImage) layerDesc() ispec.Descriptor {
	return ispec.Descriptor{MediaType: mediatype.LayerGzip, Digest: digest.FromBytes(img.layer), Size: int64(len(img.layer))}
}

// store puts img into reg's repo under tag.
func (img testImage) store(reg *fakeRegistry, repo, tag string) {
	reg.addBlob(repo, img.config)
	reg.addBlob(repo, img.layer)
	reg.addManifest(repo, tag, mediatype.Manifest, img.manifest)
}

// readAll fetches desc from src and reads it to the end.
func readAll(ctx context.Context, src transport.Source, desc ispec.Descriptor) ([]byte, error) {
	rc, err := src.Fetch(ctx, desc)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	return b, err
}

// captureLogs sends slog's debug output to a buffer for the test.
func captureLogs(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&lockedWriter{w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
