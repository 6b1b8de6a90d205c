package layout

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/archive"
	"github.com/lade-oci/lade/oci/transport"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// tarMembers lists an archive's members as "name mode uid:gid".
func tarMembers(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, hdr.Name+" "+hdr.FileInfo().Mode().String()+" "+hdr.Uname)
	}
}

func TestOCIArchiveRoundTrip(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	tmp := t.TempDir()
	srcPath := filepath.Join(tmp, "src")
	res := ct.Small(t, srcPath, "latest")
	tarPath := filepath.Join(tmp, "img.tar")
	// An existing file is replaced by an archive holding only the image,
	// keeping its mode.
	if err := os.WriteFile(tarPath, []byte("old content"), 0o600); err != nil {
		t.Fatal(err)
	}
	desc := copyNames(t, "oci:"+srcPath+":latest", "oci-archive:"+tarPath+":v1")
	if desc.Digest != res.Manifest.Digest {
		t.Fatalf("committed %s, want %s", desc.Digest, res.Manifest.Digest)
	}
	if fi, err := os.Stat(tarPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive mode: %v %v", fi, err)
	}
	got := strings.Join(tarMembers(t, tarPath), "\n")
	want := []string{"blobs/ drwxr-xr-x root", "blobs/sha256/ drwxr-xr-x root"}
	var blobs []string
	for _, d := range append([]ispec.Descriptor{res.Manifest, res.Config}, res.Layers...) {
		blobs = append(blobs, d.Digest.Encoded())
	}
	sortStrings(blobs)
	for _, b := range blobs {
		want = append(want, "blobs/sha256/"+b+" -rw-r--r-- root")
	}
	want = append(want, "index.json -rw-r--r-- root", "oci-layout -rw-r--r-- root")
	if got != strings.Join(want, "\n") {
		t.Fatalf("members:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	// lade's archive backend reads it, and the image comes back intact.
	e, err := archive.Open(context.Background(), tarPath)
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	back := filepath.Join(tmp, "back")
	copyNames(t, "oci-archive:"+tarPath+":v1", "oci:"+back+":t")
	s, err := openSource(t, "oci:"+back+":t")
	if err != nil {
		t.Fatal(err)
	}
	if img := ct.Read(t, s); img.Manifest.Digest != res.Manifest.Digest {
		t.Fatalf("round trip gave %s", img.Manifest.Digest)
	}
	// Untagged: the only entry has no tag, and the source finds it without one.
	copyNames(t, "oci:"+srcPath+":latest", "oci-archive:"+tarPath)
	if _, err := openSource(t, "oci-archive:"+tarPath); err != nil {
		t.Fatal(err)
	}
	if _, err := openSource(t, "oci-archive:"+tarPath+":v1"); !errors.Is(err, transport.ErrNotFound) {
		t.Fatalf("old tag after replacing the archive: %v", err)
	}
	if names, _ := filepath.Glob(filepath.Join(tmp, ".lade-tmp-*")); len(names) != 0 {
		t.Fatalf("temporary files left: %v", names)
	}
}

func TestOCIArchiveCloseWithoutCommit(t *testing.T) {
	tmp := t.TempDir()
	tarPath := filepath.Join(tmp, "img.tar")
	old := []byte("the old archive")
	os.WriteFile(tarPath, old, 0o644)
	d := openDest(t, "oci-archive:"+tarPath+":v1")
	ctx := context.Background()
	content := []byte("layer")
	good := ispec.Descriptor{Digest: digest.FromBytes(content), Size: int64(len(content))}
	if err := d.PutBlob(ctx, good, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := d.Has(ctx, good); !ok {
		t.Fatal("Has is false after PutBlob")
	}
	bad := ispec.Descriptor{Digest: digest.FromString("else"), Size: int64(len(content))}
	if err := d.PutBlob(ctx, bad, bytes.NewReader(content)); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("wrong digest: %v", err)
	}
	if ok, _ := d.Has(ctx, bad); ok {
		t.Fatal("Has is true for a blob that failed verification")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(tarPath); !bytes.Equal(got, old) {
		t.Fatal("the archive changed without Commit")
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 1 {
		t.Fatalf("left behind: %v", ents)
	}
}

func TestOCIArchiveDestinationRefusals(t *testing.T) {
	tmp := t.TempDir()
	for name, want := range map[string]string{
		"oci-archive:" + tmp + ":t":                         "is a directory",
		"oci-archive:" + filepath.Join(tmp, "no/x.tar"):     "no such file or directory",
		"oci-archive:" + filepath.Join(tmp, "f.tar") + ":t": "",
	} {
		_, err := OpenDestination(context.Background(), ct.MustParse(t, name), transport.Options{})
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}

// TestOCIArchiveSkopeoReads checks that skopeo reads an archive lade wrote.
func TestOCIArchiveSkopeoReads(t *testing.T) {
	skopeo := needSkopeo(t)
	tmp := t.TempDir()
	srcPath := filepath.Join(tmp, "src")
	res := ct.Small(t, srcPath, "latest")
	tarPath := filepath.Join(tmp, "img.tar")
	copyNames(t, "oci:"+srcPath+":latest", "oci-archive:"+tarPath+":v1")
	out, err := exec.Command(skopeo, "inspect", "--raw", "oci-archive:"+tarPath+":v1").Output()
	if err != nil {
		t.Fatalf("skopeo inspect: %v", err)
	}
	if digest.FromBytes(out) != res.Manifest.Digest {
		t.Fatalf("skopeo sees manifest %s, want %s", digest.FromBytes(out), res.Manifest.Digest)
	}
}

// needSkopeo returns skopeo's path, or skips the test.
func needSkopeo(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("skopeo")
	if err != nil {
		t.Skip("skopeo is not installed (apt-get install skopeo): interop not checked")
	}
	return p
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

// TestOCIArchiveInPlaceCloseWithoutCommit: an archive that is rewritten in
// place (its directory may not be written) is not touched until Commit:
// Close leaves it as it was, and the stage (in the temporary directory)
// is gone.
func TestOCIArchiveInPlaceCloseWithoutCommit(t *testing.T) {
	tmp := t.TempDir()
	dir, tempDir := filepath.Join(tmp, "d"), filepath.Join(tmp, "tmp")
	os.Mkdir(dir, 0o755)
	os.Mkdir(tempDir, 0o755)
	tarPath := filepath.Join(dir, "img.tar")
	old := []byte("the old archive")
	os.WriteFile(tarPath, old, 0o644)
	ct.UnwritableDir(t, dir)
	d, err := OpenDestination(context.Background(), ct.MustParse(t, "oci-archive:"+tarPath+":v1"), transport.Options{TempDir: tempDir})
	if err != nil {
		t.Fatal(err)
	}
	if !d.(*archiveDest).out.InPlace() {
		t.Fatal("the archive is not rewritten in place")
	}
	content := []byte("layer")
	if err := d.PutBlob(context.Background(), ispec.Descriptor{Digest: digest.FromBytes(content), Size: 5}, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(tarPath); !bytes.Equal(got, old) {
		t.Fatal("the archive changed without Commit")
	}
	if ents, _ := os.ReadDir(tempDir); len(ents) != 0 {
		t.Fatalf("left behind: %v", ents)
	}
}

// TestOCIArchiveInPlaceOwnSource: an archive rewritten in place that is
// also the copy's source (open, so flocked) is refused when the
// destination is opened, before any blob is copied.
func TestOCIArchiveInPlaceOwnSource(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "d")
	os.Mkdir(dir, 0o755)
	lay := filepath.Join(tmp, "l")
	ct.Small(t, lay, "latest")
	tarPath := filepath.Join(dir, "img.tar")
	copyNames(t, "oci:"+lay+":latest", "oci-archive:"+tarPath+":v1")
	ct.UnwritableDir(t, dir)
	src, err := openSource(t, "oci-archive:"+tarPath+":v1")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	_, err = OpenDestination(context.Background(), ct.MustParse(t, "oci-archive:"+tarPath+":v2"), transport.Options{TempDir: tmp})
	if err == nil || !strings.Contains(err.Error(), "is this copy's source") {
		t.Fatalf("open of the source as an in-place destination: %v", err)
	}
}
