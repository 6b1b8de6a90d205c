package layout

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
)

// TestDockerArchiveSourceDocker25 reads docker-archive: names from an
// archive as Docker 25 and later save it: an OCI layout plus a
// manifest.json whose Config and Layers are blobs/sha256/<hex> paths.
func TestDockerArchiveSourceDocker25(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	ct.Multi(t, lay)
	oa := filepath.Join(tmp, "oci.tar")
	copyNames(t, "oci:"+lay+":idx", "oci-archive:"+oa+":idx")

	// Append manifest.json naming both images, as Docker does.
	var entries []dockerEntry
	for _, arch := range []string{"amd64", "arm64"} {
		img := ct.Read(t, ct.OpenLayout(t, lay, arch))
		ent := dockerEntry{Config: "blobs/sha256/" + img.Config.Digest.Encoded(), RepoTags: []string{"img:" + arch}}
		for _, l := range img.Layers {
			ent.Layers = append(ent.Layers, "blobs/sha256/"+l.Digest.Encoded())
		}
		entries = append(entries, ent)
	}
	data, _ := json.Marshal(entries)
	docker := filepath.Join(tmp, "docker.tar")
	writeWithMember(t, oa, docker, "manifest.json", data)

	for name, arch := range map[string]string{
		docker + ":img:arm64":                   "arm64",
		docker + ":docker.io/library/img:amd64": "amd64",
		docker + ":@1":                          "arm64",
	} {
		src, err := openSource(t, "docker-archive:"+name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if img := ct.Read(t, src); img.Architecture != arch {
			t.Fatalf("%s: chose %s, want %s", name, img.Architecture, arch)
		}
	}
}

// writeWithMember copies the tar in to out with one more regular member.
func writeWithMember(t *testing.T, in, out, name string, data []byte) {
	t.Helper()
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	tr, tw := tar.NewReader(f), tar.NewWriter(&buf)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tw.WriteHeader(hdr)
		io.Copy(tw, tr)
	}
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(data)), Mode: 0o644})
	tw.Write(data)
	tw.Close()
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
