package dockerarchive

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"
)

func open(t *testing.T, name string, opts transport.Options) transport.Destination {
	t.Helper()
	d, err := OpenDestination(context.Background(), ct.MustParse(t, name), opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// write copies src into the docker-archive name and closes it.
func write(t *testing.T, src transport.Source, name string, opts transport.Options) ispec.Descriptor {
	t.Helper()
	d := open(t, name, opts)
	desc, err := ct.Copy(context.Background(), src, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	return desc
}

// member returns the content of member name of the tar at path.
func member(t *testing.T, path, name string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("no member %s in %s: %v", name, path, err)
		}
		if hdr.Name == name {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
}

func TestRoundTrip(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	res := ct.Small(t, lay, "latest")
	tarPath := filepath.Join(tmp, "x.tar")
	desc := write(t, ct.OpenLayout(t, lay, "latest"), "docker-archive:"+tarPath+":foo/bar:v1",
		transport.Options{AdditionalTags: []transport.DockerReference{{Registry: "docker.io", Repository: "foo/bar", Tag: "v2"}}})
	if desc.MediaType != mediatype.DockerManifest {
		t.Fatalf("committed %s", desc.MediaType)
	}
	var items []manifestItem
	if err := json.Unmarshal(member(t, tarPath, "manifest.json"), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || strings.Join(items[0].RepoTags, ",") != "docker.io/foo/bar:v1,docker.io/foo/bar:v2" {
		t.Fatalf("manifest.json %+v", items)
	}
	// lade's archive reader takes it back, and the image is the same: same
	// config, layers that are the diff_ids.
	src := ct.OpenArchive(t, tarPath, "docker.io/foo/bar:v2")
	back := filepath.Join(tmp, "back")
	if _, err := ct.Copy(context.Background(), src, ct.NewLayout(t, back, "t")); err != nil {
		t.Fatal(err)
	}
	img := ct.Read(t, ct.OpenLayout(t, back, "t"))
	if img.Config.Digest != res.Config.Digest {
		t.Fatalf("config %s, want %s", img.Config.Digest, res.Config.Digest)
	}
	if len(img.Layers) != len(res.Image.RootFS.DiffIDs) {
		t.Fatalf("%d layers", len(img.Layers))
	}
	for i, l := range img.Layers {
		if l.Digest != res.Image.RootFS.DiffIDs[i] || l.MediaType != mediatype.DockerLayer {
			t.Fatalf("layer %d: %s %s, want diff_id %s", i, l.MediaType, l.Digest, res.Image.RootFS.DiffIDs[i])
		}
	}
	if names, _ := filepath.Glob(filepath.Join(tmp, ".lade-tmp-*")); len(names) != 0 {
		t.Fatalf("temporary files left: %v", names)
	}
}

func TestRefusals(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	ct.Multi(t, lay)

	// A multi-image index is refused, and nothing is left.
	tarPath := filepath.Join(tmp, "x.tar")
	d := open(t, "docker-archive:"+tarPath+":a/b:c", transport.Options{})
	if _, err := ct.Copy(context.Background(), ct.OpenLayout(t, lay, "idx"), d); !errors.Is(err, transport.ErrUnsupported) {
		t.Fatalf("index: %v", err)
	}
	idx := ct.OpenLayout(t, lay, "idx").Top()
	raw, _ := transport.ReadManifest(context.Background(), ct.OpenLayout(t, lay, "idx"), idx)
	if err := d.Commit(context.Background(), idx, raw); !errors.Is(err, transport.ErrUnsupported) {
		t.Fatalf("Commit of an index: %v", err)
	}
	d.Close()
	if ents, _ := os.ReadDir(tmp); len(ents) != 1 {
		t.Fatalf("left behind: %v", ents)
	}

	// An OCI manifest, or one with compressed layers, is refused.
	d = open(t, "docker-archive:"+tarPath, transport.Options{})
	src := ct.OpenLayout(t, lay, "amd64")
	raw, _ = transport.ReadManifest(context.Background(), src, src.Top())
	if err := d.Commit(context.Background(), src.Top(), raw); !errors.Is(err, transport.ErrUnsupported) {
		t.Fatalf("OCI manifest: %v", err)
	}
	var m ispec.Manifest
	json.Unmarshal(raw, &m)
	m.MediaType = mediatype.DockerManifest
	docker, _ := json.Marshal(m)
	ddesc := ispec.Descriptor{MediaType: mediatype.DockerManifest, Digest: digest.FromBytes(docker), Size: int64(len(docker))}
	if err := d.Commit(context.Background(), ddesc, docker); !errors.Is(err, transport.ErrUnsupported) {
		t.Fatalf("compressed layers: %v", err)
	}
	// A blob that does not match its descriptor.
	content := []byte("layer")
	bad := ispec.Descriptor{Digest: digest.FromString("else"), Size: 5}
	if err := d.PutBlob(context.Background(), bad, bytes.NewReader(content)); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("wrong digest: %v", err)
	}
	if ok, _ := d.Has(context.Background(), bad); ok {
		t.Fatal("Has after a failed PutBlob")
	}
	d.Close()
	if _, err := os.Stat(tarPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an archive was written by failed commits")
	}

	// An existing archive is refused (skopeo's words); an empty file is fine.
	os.WriteFile(tarPath, []byte("x"), 0o644)
	if _, err := OpenDestination(context.Background(), ct.MustParse(t, "docker-archive:"+tarPath), transport.Options{}); err == nil ||
		!strings.Contains(err.Error(), "docker-archive doesn't support modifying existing images") {
		t.Fatalf("existing file: %v", err)
	}
	os.Remove(tarPath)
	os.WriteFile(tarPath, nil, 0o600)
	write(t, ct.OpenLayout(t, lay, "arm64"), "docker-archive:"+tarPath, transport.Options{})
	if fi, _ := os.Stat(tarPath); fi.Size() == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("empty file replaced by %v", fi)
	}
	for name, want := range map[string]string{
		"docker-archive:" + tmp + "/y.tar:@0": "must not contain a manifest index @0",
		"docker-archive:" + tmp:               "is a directory",
		"docker-archive:" + tmp + "/no/x.tar": "no such file or directory",
	} {
		if _, err := OpenDestination(context.Background(), ct.MustParse(t, name), transport.Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}

func TestCloseWithoutCommit(t *testing.T) {
	tmp := t.TempDir()
	tarPath := filepath.Join(tmp, "x.tar")
	d := open(t, "docker-archive:"+tarPath, transport.Options{})
	content := []byte("layer")
	if err := d.PutBlob(context.Background(), ispec.Descriptor{Digest: digest.FromBytes(content), Size: 5}, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Fatalf("left behind: %v", ents)
	}
}

// TestSkopeoInterop compares lade's archive with skopeo's for the same
// image byte for byte, and has skopeo read lade's.
func TestSkopeoInterop(t *testing.T) {
	skopeo, err := exec.LookPath("skopeo")
	if err != nil {
		t.Skip("skopeo is not installed (apt-get install skopeo): interop not checked")
	}
	run := func(args ...string) []byte {
		t.Helper()
		var stderr bytes.Buffer
		cmd := exec.Command(skopeo, append([]string{"--insecure-policy"}, args...)...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("skopeo %v: %v: %s", args, err, stderr.String())
		}
		return out
	}
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	res := ct.Small(t, lay, "latest")
	for _, tc := range []struct {
		ref  string
		tags []transport.DockerReference
		args []string
	}{
		{ref: ":foo/bar:v1"},
		{ref: ""},
		{ref: ":busybox:latest", tags: []transport.DockerReference{{Registry: "quay.io", Repository: "a/b", Tag: "x"}}, args: []string{"--additional-tag", "quay.io/a/b:x"}},
	} {
		mine := filepath.Join(tmp, "mine.tar")
		theirs := filepath.Join(tmp, "skopeo.tar")
		os.Remove(mine)
		os.Remove(theirs)
		write(t, ct.OpenLayout(t, lay, "latest"), "docker-archive:"+mine+tc.ref, transport.Options{AdditionalTags: tc.tags})
		run(append(append([]string{"copy", "-q"}, tc.args...), "oci:"+lay+":latest", "docker-archive:"+theirs+tc.ref)...)
		a, _ := os.ReadFile(mine)
		b, _ := os.ReadFile(theirs)
		if !bytes.Equal(a, b) {
			for _, m := range []string{"manifest.json", "repositories"} {
				t.Logf("%s: lade %s skopeo %s", m, member(t, mine, m), member(t, theirs, m))
			}
			t.Fatalf("%q: lade's archive (%d bytes) differs from skopeo's (%d bytes)", tc.ref, len(a), len(b))
		}
		// skopeo reads lade's archive: same config, layers = diff_ids.
		var insp struct {
			Layers []string
		}
		if err := json.Unmarshal(run("inspect", "docker-archive:"+mine), &insp); err != nil {
			t.Fatal(err)
		}
		for i, l := range insp.Layers {
			if l != res.Image.RootFS.DiffIDs[i].String() {
				t.Fatalf("skopeo inspect layer %d: %s", i, l)
			}
		}
		out := filepath.Join(tmp, "o")
		os.RemoveAll(out)
		run("copy", "-q", "docker-archive:"+mine, "oci:"+out+":t")
		// (skopeo rewrites the config when it converts to OCI: compare diff_ids.)
		img := ct.Read(t, ct.OpenLayout(t, out, "t"))
		if len(img.DiffIDs) != len(res.Image.RootFS.DiffIDs) {
			t.Fatalf("skopeo copied %d diff_ids", len(img.DiffIDs))
		}
		for i, d := range img.DiffIDs {
			if d != res.Image.RootFS.DiffIDs[i].String() {
				t.Fatalf("skopeo copied diff_id %d %s, want %s", i, d, res.Image.RootFS.DiffIDs[i])
			}
		}
	}
}

// TestSpecialFile writes an archive through a FIFO (as to /dev/stdout):
// nothing is staged next to it, and the reader gets the whole archive.
func TestSpecialFile(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	ct.Small(t, lay, "latest")
	fifo := filepath.Join(tmp, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan []byte)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		data, _ := io.ReadAll(f)
		f.Close()
		got <- data
	}()
	stage := t.TempDir()
	write(t, ct.OpenLayout(t, lay, "latest"), "docker-archive:"+fifo+":a/b:c", transport.Options{TempDir: stage})
	data := <-got
	saved := filepath.Join(tmp, "saved.tar")
	os.WriteFile(saved, data, 0o644)
	if ct.Read(t, ct.OpenArchive(t, saved, "docker.io/a/b:c")).Config.Digest == "" {
		t.Fatal("no image read back")
	}
	if ents, _ := os.ReadDir(stage); len(ents) != 0 {
		t.Fatalf("left in the temp dir: %v", ents)
	}
}
