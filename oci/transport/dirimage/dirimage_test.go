package dirimage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/transport"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func openDir(t *testing.T, path string) transport.Destination {
	t.Helper()
	d, err := OpenDestination(context.Background(), ct.MustParse(t, "dir:"+path), transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func toDir(t *testing.T, src transport.Source, path string) ispec.Descriptor {
	t.Helper()
	d := openDir(t, path)
	desc, err := ct.Copy(context.Background(), src, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	return desc
}

func dirSource(t *testing.T, path string) transport.Source {
	t.Helper()
	s, err := OpenSource(context.Background(), ct.MustParse(t, "dir:"+path), transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// listDir returns "name size" for every file of dir, and fails on
// anything that is not a regular file.
func listDir(t *testing.T, path string) []string {
	t.Helper()
	ents, err := os.ReadDir(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if !e.Type().IsRegular() {
			t.Fatalf("%s is not a regular file", e.Name())
		}
		out = append(out, e.Name())
	}
	return out
}

func TestDirRoundTrip(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	res := ct.Small(t, lay, "latest")
	d := filepath.Join(tmp, "d")
	desc := toDir(t, ct.OpenLayout(t, lay, "latest"), d)
	if desc.Digest != res.Manifest.Digest {
		t.Fatalf("committed %s, want %s", desc.Digest, res.Manifest.Digest)
	}
	want := []string{"manifest.json", "version", res.Config.Digest.Encoded()}
	for _, l := range res.Layers {
		want = append(want, l.Digest.Encoded())
	}
	slices.Sort(want)
	if got := listDir(t, d); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	if v, _ := os.ReadFile(filepath.Join(d, "version")); string(v) != "Directory Transport Version: 1.1\n" {
		t.Fatalf("version %q", v)
	}
	if m, _ := os.ReadFile(filepath.Join(d, "manifest.json")); digest.FromBytes(m) != res.Manifest.Digest {
		t.Fatal("manifest.json is not the source manifest's bytes")
	}
	if fi, _ := os.Stat(d); fi.Mode().Perm() != 0o755 {
		t.Fatalf("directory mode %v", fi.Mode())
	}
	// Back into a layout: the same image.
	back := filepath.Join(tmp, "back")
	dst := ct.NewLayout(t, back, "t")
	if _, err := ct.Copy(context.Background(), dirSource(t, d), dst); err != nil {
		t.Fatal(err)
	}
	img := ct.Read(t, ct.OpenLayout(t, back, "t"))
	if img.Manifest.Digest != res.Manifest.Digest || img.Config.Digest != res.Config.Digest {
		t.Fatalf("round trip gave %s", img.Manifest.Digest)
	}
	if names, _ := filepath.Glob(filepath.Join(tmp, ".lade-tmp-*")); len(names) != 0 {
		t.Fatalf("temporary files left: %v", names)
	}
}

func TestDirIndex(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	idx := ct.Multi(t, lay)
	d := filepath.Join(tmp, "d")
	if desc := toDir(t, ct.OpenLayout(t, lay, "idx"), d); desc.Digest != idx.Digest {
		t.Fatalf("committed %s", desc.Digest)
	}
	got := listDir(t, d)
	for _, tag := range []string{"amd64", "arm64"} {
		m := ct.OpenLayout(t, lay, tag).Top()
		if !slices.Contains(got, m.Digest.Encoded()+".manifest.json") {
			t.Fatalf("no %s.manifest.json in %v", m.Digest.Encoded(), got)
		}
	}
	s := dirSource(t, d)
	top, _ := s.Resolve(context.Background())
	if top.Digest != idx.Digest || top.MediaType != ispec.MediaTypeImageIndex {
		t.Fatalf("resolved %+v", top)
	}
	back := filepath.Join(tmp, "back")
	if _, err := ct.Copy(context.Background(), s, ct.NewLayout(t, back, "idx")); err != nil {
		t.Fatal(err)
	}
	if checkSkopeo(t) {
		sk := filepath.Join(tmp, "sk")
		skopeoRun(t, "copy", "--all", "oci:"+lay+":idx", "dir:"+sk)
		if want := listDir(t, sk); !slices.Equal(got, want) {
			t.Fatalf("lade wrote %v, skopeo %v", got, want)
		}
		for _, n := range got {
			a, _ := os.ReadFile(filepath.Join(d, n))
			b, _ := os.ReadFile(filepath.Join(sk, n))
			if !bytes.Equal(a, b) {
				t.Fatalf("%s differs from skopeo's", n)
			}
		}
	}
}

func TestDirDestinationRefusals(t *testing.T) {
	tmp := t.TempDir()
	full := filepath.Join(tmp, "full")
	os.Mkdir(full, 0o755)
	os.WriteFile(filepath.Join(full, "important.txt"), []byte("data"), 0o644)
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, []byte("data"), 0o644)
	for path, want := range map[string]string{
		full:                          full + " is not a containers image directory, don't want to overwrite important data",
		file:                          "not a directory",
		filepath.Join(tmp, "no", "x"): "lstat " + filepath.Join(tmp, "no") + ": no such file or directory",
	} {
		_, err := OpenDestination(context.Background(), ct.MustParse(t, "dir:"+path), transport.Options{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	if got := listDir(t, full); !slices.Equal(got, []string{"important.txt"}) {
		t.Fatalf("refused directory changed: %v", got)
	}
}

func TestDirReplaceAndAbort(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	ct.Multi(t, lay)
	d := filepath.Join(tmp, "d")
	toDir(t, ct.OpenLayout(t, lay, "amd64"), d)
	os.WriteFile(filepath.Join(d, "extra"), []byte("x"), 0o644)
	os.Chmod(d, 0o700)
	before := listDir(t, d)

	// Close without Commit: untouched.
	dst := openDir(t, d)
	ctx := context.Background()
	content := []byte("blob")
	if err := dst.PutBlob(ctx, ispec.Descriptor{Digest: digest.FromString("other"), Size: 4}, bytes.NewReader(content)); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("wrong digest: %v", err)
	}
	if ok, _ := dst.Has(ctx, ispec.Descriptor{Digest: digest.FromString("other"), Size: 4}); ok {
		t.Fatal("Has after a failed PutBlob")
	}
	if err := dst.PutBlob(ctx, ispec.Descriptor{Digest: digest.FromBytes(content), Size: 4}, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, d); !slices.Equal(got, before) {
		t.Fatalf("Close without Commit changed the directory: %v -> %v", before, got)
	}

	// A new copy replaces the whole directory and keeps its mode.
	arm := ct.OpenLayout(t, lay, "arm64")
	toDir(t, arm, d)
	if slices.Contains(listDir(t, d), "extra") {
		t.Fatal("the replaced directory kept a file")
	}
	if fi, _ := os.Stat(d); fi.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v, want the replaced directory's 0700", fi.Mode().Perm())
	}
	if img := ct.Read(t, dirSource(t, d)); img.Architecture != "arm64" {
		t.Fatalf("dir holds the %s image", img.Architecture)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 2 {
		t.Fatalf("left behind: %v", ents)
	}
	// An empty directory is a fine destination too.
	empty := filepath.Join(tmp, "empty")
	os.Mkdir(empty, 0o755)
	toDir(t, arm, empty)
}

func TestDirSourceVerifies(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	res := ct.Small(t, lay, "latest")
	d := filepath.Join(tmp, "d")
	toDir(t, ct.OpenLayout(t, lay, "latest"), d)
	// skopeo 1.9 reads a directory without a version file, or with 1.0.
	os.Remove(filepath.Join(d, "version"))
	s := dirSource(t, d)
	ctx := context.Background()
	layer := res.Layers[0]
	p := filepath.Join(d, layer.Digest.Encoded())
	data, _ := os.ReadFile(p)
	data[len(data)/2] ^= 1
	os.WriteFile(p, data, 0o644)
	rc, err := s.Fetch(ctx, layer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(rc); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("corrupt layer read: %v", err)
	}
	rc.Close()
	os.WriteFile(p, data[:10], 0o644)
	if _, err := s.Fetch(ctx, layer); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("short layer: %v", err)
	}
	os.Remove(p)
	if _, err := s.Fetch(ctx, layer); !errors.Is(err, transport.ErrNotFound) {
		t.Fatalf("missing layer: %v", err)
	}
	if _, err := s.Fetch(ctx, ispec.Descriptor{Digest: "sha256:../../etc/passwd", Size: 1}); err == nil {
		t.Fatal("a malformed digest was turned into a path")
	}
	if _, err := OpenSource(ctx, ct.MustParse(t, "dir:"+filepath.Join(tmp, "none")), transport.Options{}); !errors.Is(err, transport.ErrNotFound) {
		t.Fatalf("missing directory: %v", err)
	}
}

func TestDirSkopeoInterop(t *testing.T) {
	if !checkSkopeo(t) {
		t.Skip("skopeo is not installed (apt-get install skopeo): interop not checked")
	}
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	res := ct.Small(t, lay, "latest")
	// skopeo writes, lade reads: the same files as lade writes.
	sk := filepath.Join(tmp, "sk")
	skopeoRun(t, "copy", "oci:"+lay+":latest", "dir:"+sk)
	if img := ct.Read(t, dirSource(t, sk)); img.Manifest.Digest != res.Manifest.Digest {
		t.Fatalf("lade reads skopeo's dir as %s", img.Manifest.Digest)
	}
	mine := filepath.Join(tmp, "mine")
	toDir(t, ct.OpenLayout(t, lay, "latest"), mine)
	if a, b := listDir(t, mine), listDir(t, sk); !slices.Equal(a, b) {
		t.Fatalf("lade wrote %v, skopeo %v", a, b)
	}
	// lade writes, skopeo reads.
	out := skopeoRun(t, "inspect", "--raw", "dir:"+mine)
	if digest.FromBytes(out) != res.Manifest.Digest {
		t.Fatal("skopeo reads another manifest from lade's dir")
	}
	skopeoRun(t, "copy", "dir:"+mine, "oci:"+filepath.Join(tmp, "o")+":t")
}

func checkSkopeo(t *testing.T) bool {
	_, err := exec.LookPath("skopeo")
	if err != nil {
		t.Log("skopeo is not installed: interop part skipped")
	}
	return err == nil
}

func skopeoRun(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("skopeo", append([]string{"--insecure-policy"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("skopeo %v: %v: %s", args, err, stderr.String())
	}
	return out
}
