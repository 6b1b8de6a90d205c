package archive

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

// TestLongArchiveName writes an archive whose name is as long as a file
// name can be: its temporary directory name must still fit in NAME_MAX,
// and a dead one is still found by Clean.
func TestLongArchiveName(t *testing.T) {
	for _, n := range []int{1, 63, 64, 65, 200, 255} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			src := layoutTar(t, smallLayout(t))
			name := strings.Repeat("x", n)
			p := filepath.Join(t.TempDir(), name)
			if err := os.Rename(src, p); err != nil {
				t.Fatal(err)
			}
			dead := filepath.Join(filepath.Dir(p), strings.TrimSuffix(tempPattern(p), "*")+"42")
			if err := os.Mkdir(dead, 0o700); err != nil {
				t.Fatal(err)
			}
			e := mustOpen(t, p)
			putString(t, e, "long name")
			if err := e.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if left := temps(t, p); len(left) != 0 {
				t.Fatalf("temp files left: %v", left)
			}
			e = mustOpen(t, p)
			defer e.Close()
			if _, err := e.StatBlob(t.Context(), digest.FromString("long name")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// smallFS mounts a tmpfs of size bytes under a test directory (root only).
func smallFS(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	d := t.TempDir()
	if err := unix.Mount("tmpfs", d, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(d, unix.MNT_DETACH) })
	return d
}

// TestNoSpace fills the file system the archive is on: while storing a
// blob, and while building the new archive. The archive keeps its inode
// and bytes, nothing is left next to it, and the error is one line.
func TestNoSpace(t *testing.T) {
	for _, tc := range []struct {
		name string
		blob int // bytes stored
		at   string
	}{
		{"put blob", 3 << 20, "PutBlob"},
		{"mid-copy", 1200 << 10, "Close"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := smallFS(t, "2m")
			data, err := os.ReadFile(layoutTar(t, smallLayout(t)))
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "img.tar")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			before := stateOf(t, p)
			e := mustOpen(t, p)
			_, _, perr := e.PutBlob(t.Context(), bytes.NewReader(bytes.Repeat([]byte("z"), tc.blob)))
			cerr := e.Close()
			err = perr
			if tc.at == "Close" {
				if perr != nil {
					t.Fatalf("PutBlob: %v", perr)
				}
				err = cerr
			}
			if err == nil || !strings.Contains(err.Error(), "no space left") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("%s = %v, want one line about no space", tc.at, err)
			}
			if !stateOf(t, p).same(before) {
				t.Fatal("archive changed")
			}
			if left := temps(t, p); len(left) != 0 {
				t.Fatalf("temp files left: %v", left)
			}
		})
	}
}

// TestDeleteKeepsNamedBlobs deletes every blob of a Docker 25 style archive:
// the blobs that manifest.json, a symbolic link or a hard link outside the
// layout names stay (else docker load and tar -x of the result break), the
// others go, and every link member of the result still resolves.
func TestDeleteKeepsNamedBlobs(t *testing.T) {
	manifest := `[{"Config":"` + blobName("config") + `","RepoTags":["a:b"],"Layers":["./` + blobName("layer") + `"]}]`
	p := writeTar(t,
		file("oci-layout", okLayout), file("index.json", okIndex),
		file(blobName("config"), "config"), file(blobName("layer"), "layer"),
		file(blobName("sym"), "sym"), file(blobName("hard"), "hard"),
		file(blobName("chain"), "chain"), file(blobName("free"), "free"),
		file("manifest.json", manifest),
		link(tar.TypeSymlink, "legacy/layer.tar", "../"+blobName("sym")),
		link(tar.TypeSymlink, "legacy/chain.tar", "layer.tar2"),
		link(tar.TypeSymlink, "legacy/layer.tar2", "../"+blobName("chain")),
		link(tar.TypeLink, "legacy/hard.tar", blobName("hard")),
	)
	e := mustOpen(t, p)
	blobs, _ := e.ListBlobs(t.Context())
	for _, d := range blobs {
		if err := e.DeleteBlob(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	e = mustOpen(t, p)
	defer e.Close()
	for _, b := range []string{"config", "layer", "sym", "hard", "chain"} {
		if got, err := readAll(t, e, digest.FromString(b)); err != nil || string(got) != b {
			t.Errorf("blob %q: %q, %v", b, got, err)
		}
	}
	if _, err := e.StatBlob(t.Context(), digest.FromString("free")); err == nil {
		t.Error("blob free was kept")
	}
	// tar -x of the result: every hard link target is an earlier member.
	names := map[string]bool{}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		if hdr.Typeflag == tar.TypeLink && !names[hdr.Linkname] {
			t.Errorf("hard link %s to missing %s", hdr.Name, hdr.Linkname)
		}
		names[hdr.Name] = true
	}
}
