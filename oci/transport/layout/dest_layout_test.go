package layout

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/transport"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func openDest(t *testing.T, name string) transport.Destination {
	t.Helper()
	dst, err := OpenDestination(context.Background(), ct.MustParse(t, name), transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// copyNames copies src to dst by name and closes both.
func copyNames(t *testing.T, src, dst string) ispec.Descriptor {
	t.Helper()
	s, err := openSource(t, src)
	if err != nil {
		t.Fatal(err)
	}
	d := openDest(t, dst)
	desc, err := ct.Copy(context.Background(), s, d)
	if err != nil {
		t.Fatalf("copy %s %s: %v", src, dst, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	return desc
}

func readIndex(t *testing.T, path string) ispec.Index {
	t.Helper()
	e, err := dir.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	idx, err := e.GetIndex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// entries summarizes an index as "digest-prefix:tag" items.
func entries(idx ispec.Index) string {
	var s []string
	for _, m := range idx.Manifests {
		s = append(s, m.Digest.Encoded()[:8]+":"+m.Annotations[casext.RefNameAnnotation])
	}
	return strings.Join(s, " ")
}

func TestOCIDestinationTags(t *testing.T) {
	tmp := t.TempDir()
	srcPath := filepath.Join(tmp, "src")
	ct.Multi(t, srcPath)
	amd := readIndex(t, srcPath).Manifests[0].Digest.Encoded()[:8]
	arm := readIndex(t, srcPath).Manifests[1].Digest.Encoded()[:8]
	dst := filepath.Join(tmp, "dst")

	steps := []struct{ src, dst, want string }{
		{"amd64", "oci:" + dst + ":a", amd + ":a"},                                  // created
		{"arm64", "oci:" + dst + ":b", amd + ":a " + arm + ":b"},                    // other tags kept
		{"arm64", "oci:" + dst + ":a", arm + ":b " + arm + ":a"},                    // same tag replaced
		{"amd64", "oci:" + dst, arm + ":b " + arm + ":a " + amd + ":"},              // untagged entry
		{"amd64", "oci:" + dst, arm + ":b " + arm + ":a " + amd + ":"},              // one per digest
		{"arm64", "oci:" + dst, arm + ":b " + arm + ":a " + amd + ": " + arm + ":"}, // untagged, tagged elsewhere
	}
	for _, st := range steps {
		copyNames(t, "oci:"+srcPath+":"+st.src, st.dst)
		if got := entries(readIndex(t, dst)); got != st.want {
			t.Fatalf("after %s -> %s: index %q, want %q", st.src, st.dst, got, st.want)
		}
	}
	// The whole index, then a round trip back.
	desc := copyNames(t, "oci:"+srcPath+":idx", "oci:"+dst+":idx")
	if desc.MediaType != ispec.MediaTypeImageIndex {
		t.Fatalf("idx copied as %+v", desc)
	}
	s, err := openSource(t, "oci:"+dst+":idx")
	if err != nil {
		t.Fatal(err)
	}
	if top, _ := s.Resolve(context.Background()); top.Digest != desc.Digest {
		t.Fatalf("idx resolves to %s, want %s", top.Digest, desc.Digest)
	}
}

func TestOCIDestinationMissingParent(t *testing.T) {
	tmp := t.TempDir()
	name := "oci:" + filepath.Join(tmp, "a", "b") + ":t"
	_, err := OpenDestination(context.Background(), ct.MustParse(t, name), transport.Options{})
	if err == nil || !strings.Contains(err.Error(), "lstat "+filepath.Join(tmp, "a")+": no such file or directory") {
		t.Fatalf("missing parent: %v", err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the missing parent was created")
	}
}

func TestOCIDestinationEmptyDir(t *testing.T) {
	tmp := t.TempDir()
	srcPath := filepath.Join(tmp, "src")
	ct.Small(t, srcPath, "latest")
	dst := filepath.Join(tmp, "empty")
	if err := os.Mkdir(dst, 0o750); err != nil {
		t.Fatal(err)
	}
	copyNames(t, "oci:"+srcPath+":latest", "oci:"+dst+":t")
	if got := readIndex(t, dst); len(got.Manifests) != 1 {
		t.Fatalf("index %+v", got)
	}
	if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o750 {
		t.Fatalf("mode %v, want the empty directory's 0750", fi.Mode().Perm())
	}
	// A directory with something else in it is not made a layout.
	other := filepath.Join(tmp, "other")
	os.Mkdir(other, 0o755)
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if _, err := OpenDestination(context.Background(), ct.MustParse(t, "oci:"+other), transport.Options{}); err == nil ||
		!strings.Contains(err.Error(), other+" is a non-empty directory without an oci-layout file") {
		t.Fatalf("a non-empty directory without oci-layout: %v", err)
	}
	if ents, _ := os.ReadDir(other); len(ents) != 1 {
		t.Fatalf("the refused directory changed: %v", ents)
	}
}

func TestOCIDestinationPutBlobMismatch(t *testing.T) {
	tmp := t.TempDir()
	dst := filepath.Join(tmp, "dst")
	ct.Small(t, dst, "latest")
	before := readIndex(t, dst)
	d := openDest(t, "oci:"+dst+":t")
	ctx := context.Background()
	content := []byte("some layer bytes")
	lie := ispec.Descriptor{MediaType: ispec.MediaTypeImageLayer, Digest: digest.FromString("other bytes"), Size: int64(len(content))}
	if err := d.PutBlob(ctx, lie, bytes.NewReader(content)); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("wrong digest: %v", err)
	}
	short := ispec.Descriptor{MediaType: ispec.MediaTypeImageLayer, Digest: digest.FromBytes(content), Size: int64(len(content)) + 1}
	if err := d.PutBlob(ctx, short, bytes.NewReader(content)); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("wrong size: %v", err)
	}
	for _, dg := range []digest.Digest{lie.Digest, digest.FromBytes(content)} {
		if ok, err := d.Has(ctx, ispec.Descriptor{Digest: dg, Size: int64(len(content))}); ok || err != nil {
			t.Fatalf("Has(%s) = %v, %v after a failed PutBlob", dg, ok, err)
		}
		if _, err := os.Stat(filepath.Join(dst, "blobs", "sha256", dg.Encoded())); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("blob %s stored after a mismatch", dg)
		}
	}
	good := ispec.Descriptor{MediaType: ispec.MediaTypeImageLayer, Digest: digest.FromBytes(content), Size: int64(len(content))}
	if err := d.PutBlob(ctx, good, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if ok, err := d.Has(ctx, good); !ok || err != nil {
		t.Fatalf("Has after PutBlob = %v, %v", ok, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if got := readIndex(t, dst); entries(got) != entries(before) {
		t.Fatalf("index changed without Commit: %q -> %q", entries(before), entries(got))
	}
	if names, _ := filepath.Glob(filepath.Join(dst, ".lade-tmp-*")); len(names) != 0 {
		t.Fatalf("temporary files left: %v", names)
	}
}

func TestOCIDestinationFailedCopyRemovesNewLayout(t *testing.T) {
	tmp := t.TempDir()
	dst := filepath.Join(tmp, "new")
	d := openDest(t, "oci:"+dst+":t")
	content := []byte("x")
	if err := d.PutBlob(context.Background(), ispec.Descriptor{Digest: digest.FromBytes(content), Size: 1}, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "oci-layout")); err != nil {
		t.Fatalf("layout not created at open: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a layout created by a failed copy was left: %v", err)
	}
	// A layout created in an existing empty directory: the directory stays, empty.
	empty := filepath.Join(tmp, "empty")
	os.Mkdir(empty, 0o755)
	openDest(t, "oci:"+empty).Close()
	if ents, err := os.ReadDir(empty); err != nil || len(ents) != 0 {
		t.Fatalf("empty directory after a failed copy: %v %v", ents, err)
	}
}

// TestOCIDestinationIntoDirectoryLeftovers: an existing directory holding
// what a killed creation of a layout in it left (blobs/sha256/ empty,
// index.json, a temporary file, no oci-layout) is made a layout; the
// directory keeps its inode and mode.
func TestOCIDestinationIntoDirectoryLeftovers(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	ct.Small(t, src, "latest")
	dst := filepath.Join(tmp, "dst")
	os.MkdirAll(filepath.Join(dst, "blobs", "sha256"), 0o755)
	os.WriteFile(filepath.Join(dst, "index.json"), []byte(`{"schemaVe`), 0o644)
	os.WriteFile(filepath.Join(dst, ".lade-tmp-123"), []byte("half"), 0o644)
	os.Chmod(dst, 0o750)
	before, _ := os.Stat(dst)
	copyNames(t, "oci:"+src+":latest", "oci:"+dst+":t")
	if got := readIndex(t, dst); len(got.Manifests) != 1 {
		t.Fatalf("index %+v", got)
	}
	after, _ := os.Stat(dst)
	if !os.SameFile(before, after) || after.Mode() != before.Mode() {
		t.Fatalf("directory replaced or mode changed: %v -> %v", before.Mode(), after.Mode())
	}
	if names, _ := filepath.Glob(filepath.Join(dst, ".lade-tmp-*")); len(names) != 0 {
		t.Fatalf("temporary files left: %v", names)
	}
}
