package copytest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/dirimage"
	"github.com/lade-oci/lade/oci/transport/dockerarchive"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	"github.com/lade-oci/lade/oci/transport/layout"
)

func openSource(t *testing.T, name string) transport.Source {
	t.Helper()
	n := ct.MustParse(t, name)
	open := layout.OpenSource
	if n.Transport == transport.Dir {
		open = dirimage.OpenSource
	}
	s, err := open(context.Background(), n, transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func copyNames(t *testing.T, src, dst string) {
	t.Helper()
	n := ct.MustParse(t, dst)
	open := layout.OpenDestination
	switch n.Transport {
	case transport.Dir:
		open = dirimage.OpenDestination
	case transport.DockerArchive:
		open = dockerarchive.OpenDestination
	}
	d, err := open(context.Background(), n, transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ct.Copy(context.Background(), openSource(t, src), d); err != nil {
		t.Fatalf("copy %s %s: %v", src, dst, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestEveryTransport carries one image through every local transport,
// oci: -> oci-archive: -> dir: -> docker-archive: -> oci:, checking at
// each step that the config is the same and the layers unpack to the same
// diff_ids.
func TestEveryTransport(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "src")
	res := ct.Small(t, lay, "latest")
	steps := []string{
		"oci:" + lay + ":latest",
		"oci-archive:" + filepath.Join(tmp, "a.tar") + ":v1",
		"dir:" + filepath.Join(tmp, "d"),
		"docker-archive:" + filepath.Join(tmp, "x.tar") + ":foo/bar:v1",
		"oci:" + filepath.Join(tmp, "back") + ":t",
	}
	for i := 1; i < len(steps); i++ {
		copyNames(t, steps[i-1], steps[i])
		img := ct.Read(t, openSource(t, steps[i]))
		if img.Config.Digest != res.Config.Digest {
			t.Fatalf("%s: config %s, want %s", steps[i], img.Config.Digest, res.Config.Digest)
		}
		for j, d := range img.DiffIDs {
			if d != res.Image.RootFS.DiffIDs[j].String() {
				t.Fatalf("%s: diff_id %d is %s", steps[i], j, d)
			}
		}
	}
	// Through docker-archive the layers are the uncompressed diff_ids.
	img := ct.Read(t, openSource(t, "docker-archive:"+filepath.Join(tmp, "x.tar")+":foo/bar:v1"))
	for j, l := range img.Layers {
		if l.Digest.String() != img.DiffIDs[j] {
			t.Fatalf("docker-archive layer %d is %s, diff_id %s", j, l.Digest, img.DiffIDs[j])
		}
	}
}

// TestIndexTransports carries a two-image index oci: -> dir: ->
// oci-archive: -> oci: unchanged.
func TestIndexTransports(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "src")
	idx := ct.Multi(t, lay)
	steps := []string{
		"oci:" + lay + ":idx",
		"dir:" + filepath.Join(tmp, "d"),
		"oci-archive:" + filepath.Join(tmp, "a.tar"),
		"oci:" + filepath.Join(tmp, "back") + ":idx",
	}
	for i := 1; i < len(steps); i++ {
		copyNames(t, steps[i-1], steps[i])
		top, _ := openSource(t, steps[i]).Resolve(context.Background())
		if top.Digest != idx.Digest {
			t.Fatalf("%s holds %s, want %s", steps[i], top.Digest, idx.Digest)
		}
	}
}
