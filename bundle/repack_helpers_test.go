package bundle

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/mtreeutil"
	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
	"github.com/lade-oci/lade/oci/validate"
)

// repackFixture is a layout holding an image and a bundle unpacked from it.
type repackFixture struct {
	engine casext.Engine
	bundle string
	rootfs string
	tag    string
}

// newRepackFixture writes the image built by b as tag "base" and unpacks it
// into a fresh bundle.
func newRepackFixture(t *testing.T, b *testimage.Builder) *repackFixture {
	t.Helper()
	ctx := t.Context()
	layout := filepath.Join(t.TempDir(), "layout")
	if _, err := b.Write(ctx, layout, "base"); err != nil {
		t.Fatalf("write image: %v", err)
	}
	e, err := dir.Open(ctx, layout)
	if err != nil {
		t.Fatalf("open layout: %v", err)
	}
	engine := casext.NewEngine(e)
	t.Cleanup(func() { _ = engine.Close() })
	path, err := engine.ResolveOne(ctx, "base")
	if err != nil {
		t.Fatalf("resolve base: %v", err)
	}
	bundle := filepath.Join(t.TempDir(), "bundle")
	if err := Unpack(ctx, engine, path, bundle, UnpackOptions{}); err != nil {
		t.Fatalf("unpack: %v", err)
	}
	return &repackFixture{engine: engine, bundle: bundle, rootfs: filepath.Join(bundle, RootfsName), tag: "base"}
}

// repack runs Repack to tag "out" and checks the layout stays valid.
func (f *repackFixture) repack(t *testing.T, opts RepackOptions) (ispec.Manifest, ispec.Image) {
	t.Helper()
	path, err := Repack(t.Context(), f.engine, "out", f.bundle, opts)
	if err != nil {
		t.Fatalf("repack: %v", err)
	}
	if err := validate.Layout(t.Context(), f.engine); err != nil {
		t.Fatalf("layout invalid after repack: %v", err)
	}
	got, err := f.engine.ResolveOne(t.Context(), "out")
	if err != nil {
		t.Fatalf("resolve out: %v", err)
	}
	if got.Root().Digest != path.Root().Digest {
		t.Fatalf("tag out = %s, Repack returned %s", got.Root().Digest, path.Root().Digest)
	}
	return f.image(t, path)
}

// image reads the manifest and config at the end of path.
func (f *repackFixture) image(t *testing.T, path casext.DescriptorPath) (ispec.Manifest, ispec.Image) {
	t.Helper()
	blob, err := f.engine.FromDescriptor(t.Context(), path.Descriptor())
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	m := *blob.Data.(*ispec.Manifest)
	blob, err = f.engine.FromDescriptor(t.Context(), m.Config)
	if err != nil {
		t.Fatalf("read config: %v", err)
	}
	return m, *blob.Data.(*ispec.Image)
}

// layerEntry is what the tests check of a tar entry.
type layerEntry struct {
	name    string
	content string
	hdr     *tar.Header
}

// readLayer decompresses layer desc and returns its entries in order.
func (f *repackFixture) readLayer(t *testing.T, desc ispec.Descriptor) []layerEntry {
	t.Helper()
	rc, err := f.engine.GetVerifiedBlob(t.Context(), desc)
	if err != nil {
		t.Fatalf("get layer: %v", err)
	}
	defer rc.Close()
	alg, err := compress.ByMediaType(desc.MediaType)
	if err != nil {
		t.Fatalf("layer media type: %v", err)
	}
	dr, err := alg.Decompress(rc)
	if err != nil {
		t.Fatalf("decompress layer: %v", err)
	}
	defer dr.Close()
	var out []layerEntry
	tr := tar.NewReader(dr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read layer tar: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read %s: %v", hdr.Name, err)
		}
		out = append(out, layerEntry{name: hdr.Name, content: string(data), hdr: hdr})
	}
}

// repackNames lists the names of entries.
func repackNames(entries []layerEntry) []string {
	var names []string
	for _, e := range entries {
		names = append(names, e.name)
	}
	return names
}

// repackWrite writes data to path, creating parents.
func repackWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mustResolve resolves tag in the fixture's layout.
func mustResolve(t *testing.T, f *repackFixture, tag string) casext.DescriptorPath {
	t.Helper()
	p, err := f.engine.ResolveOne(t.Context(), tag)
	if err != nil {
		t.Fatalf("resolve %s: %v", tag, err)
	}
	return p
}

// mustMeta reads the fixture bundle's umoci.json.
func mustMeta(t *testing.T, f *repackFixture) Meta {
	t.Helper()
	m, err := ReadMeta(t.Context(), f.bundle)
	if err != nil {
		t.Fatalf("read meta: %v", err)
	}
	return m
}

// repackDoctorCache rewrites the stat cache entry of rel so that it
// matches the current ctime of host path p, as if the cache had been
// saved after p last changed (its digest stays the old one).
func repackDoctorCache(t *testing.T, bundle, rel, p string) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	cachePath := filepath.Join(bundle, mtreeutil.StatCacheName)
	data, err := os.ReadFile(cachePath)
	if err != nil {
		t.Fatalf("read stat cache: %v", err)
	}
	lines := strings.Split(string(data), "\n")
	found := false
	for i, l := range lines {
		f := strings.SplitN(l, " ", 7)
		if len(f) == 7 && f[6] == rel {
			f[4] = strconv.FormatInt(time.Unix(st.Ctim.Unix()).UnixNano(), 10)
			lines[i] = strings.Join(f, " ")
			found = true
		}
	}
	if !found {
		t.Fatalf("no stat cache entry for %s in\n%s", rel, data)
	}
	// The cache must be saved strictly after p changed to be trusted.
	time.Sleep(20 * time.Millisecond)
	if err := os.WriteFile(cachePath, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
}
