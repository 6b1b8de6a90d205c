package layout

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
)

func TestDockerArchiveSourceNames(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	ct.Multi(t, lay)
	two := filepath.Join(tmp, "two.tar")
	ct.WriteDockerArchive(t, two,
		ct.DockerImage{Layout: lay, Tag: "amd64", RepoTags: []string{"busybox:latest"}},
		ct.DockerImage{Layout: lay, Tag: "arm64", RepoTags: []string{"docker.io/foo/bar:v1", "foo/bar:v2"}})
	one := filepath.Join(tmp, "one.tar")
	ct.WriteDockerArchive(t, one, ct.DockerImage{Layout: lay, Tag: "arm64"})

	for _, tc := range []struct{ name, arch string }{
		{two + ":@0", "amd64"},
		{two + ":@1", "arm64"},
		{two + ":busybox:latest", "amd64"},
		{two + ":docker.io/library/busybox:latest", "amd64"},
		{two + ":foo/bar:v1", "arm64"},
		{two + ":docker.io/foo/bar:v2", "arm64"},
		{one, "arm64"},
		{one + ":@0", "arm64"},
	} {
		n, err := transport.Parse("docker-archive:" + tc.name)
		if err != nil {
			t.Fatal(err)
		}
		src, err := OpenSource(context.Background(), n, transport.Options{})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if img := ct.Read(t, src); img.Architecture != tc.arch {
			t.Errorf("%s: chose the %s image, want %s", tc.name, img.Architecture, tc.arch)
		}
		src.Close()
	}

	for _, tc := range []struct {
		name, want string
		notFound   bool
	}{
		{two, "holds 2 images, choose one with " + two + ":NAME:TAG or " + two + ":@N (from 0) (RepoTags: busybox:latest, docker.io/foo/bar:v1, foo/bar:v2)", false},
		{two + ":@2", "invalid source index @2: " + two + " holds 2 images", true},
		{two + ":nope:v", "tag docker.io/library/nope:v not found in " + two + " (RepoTags: busybox:latest, docker.io/foo/bar:v1, foo/bar:v2)", true},
		{one + ":busybox:latest", "not found in " + one + " (no tags)", true},
		{filepath.Join(tmp, "missing.tar"), "does not exist", true},
	} {
		_, err := openSource(t, "docker-archive:"+tc.name)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", tc.name, err, tc.want)
		} else if errors.Is(err, transport.ErrNotFound) != tc.notFound {
			t.Errorf("%s: errors.Is(ErrNotFound) = %v, want %v", tc.name, !tc.notFound, tc.notFound)
		}
	}
}

// TestDockerArchiveSourceReadsSkopeo reads an archive skopeo wrote and
// checks the image against skopeo's own view of it.
func TestDockerArchiveSourceReadsSkopeo(t *testing.T) {
	skopeo := needSkopeo(t)
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	res := ct.Small(t, lay, "latest")
	tarPath := filepath.Join(tmp, "s.tar")
	if out, err := exec.Command(skopeo, "--insecure-policy", "copy", "-q", "oci:"+lay+":latest", "docker-archive:"+tarPath+":foo/bar:v1").CombinedOutput(); err != nil {
		t.Fatalf("skopeo copy: %v: %s", err, out)
	}
	for _, name := range []string{tarPath, tarPath + ":foo/bar:v1", tarPath + ":docker.io/foo/bar:v1", tarPath + ":@0"} {
		src, err := openSource(t, "docker-archive:"+name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img := ct.Read(t, src)
		if img.Config.Digest != res.Config.Digest {
			t.Fatalf("%s: config %s, want %s", name, img.Config.Digest, res.Config.Digest)
		}
		for i, l := range img.Layers {
			if l.Digest.String() != img.DiffIDs[i] {
				t.Fatalf("%s: layer %d is %s, diff_id %s", name, i, l.Digest, img.DiffIDs[i])
			}
		}
	}
}
