package layout

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/copytest"
)

// TestArchiveTags lists the RepoTags of a docker-archive written by
// skopeo (with an extra tag) as skopeo list-tags prints them.
func TestArchiveTags(t *testing.T) {
	skopeo, err := exec.LookPath("skopeo")
	if err != nil {
		t.Skip("skopeo is not installed")
	}
	src := filepath.Join(t.TempDir(), "src")
	copytest.Small(t, src, "latest")
	tarPath := filepath.Join(t.TempDir(), "x.tar")
	out, err := exec.Command(skopeo, "--insecure-policy", "copy", "-q", "--additional-tag", "foo/baz:v3",
		"oci:"+src+":latest", "docker-archive:"+tarPath+":busybox:v1").CombinedOutput()
	if err != nil {
		t.Fatalf("skopeo copy: %v: %s", err, out)
	}
	name, err := transport.Parse("docker-archive:" + tarPath)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := ArchiveTags(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	// skopeo stores the names normalized, and they are listed as stored.
	want := []string{"docker.io/library/busybox:v1", "docker.io/foo/baz:v3"}
	if !slices.Equal(tags, want) {
		t.Fatalf("ArchiveTags = %q, want %q", tags, want)
	}

	missing, _ := transport.Parse("docker-archive:" + filepath.Join(t.TempDir(), "none.tar"))
	if _, err := ArchiveTags(context.Background(), missing); !errors.Is(err, transport.ErrNotFound) {
		t.Fatalf("missing archive: %v, want ErrNotFound", err)
	}
	layoutName, _ := transport.Parse("oci:" + src)
	if _, err := ArchiveTags(context.Background(), layoutName); !errors.Is(err, transport.ErrUnsupported) {
		t.Fatalf("oci: %v, want ErrUnsupported", err)
	}
	if err := os.WriteFile(tarPath, []byte("not a tar"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ArchiveTags(context.Background(), name); err == nil {
		t.Fatal("a corrupt archive was listed")
	}
}
