package archive

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
)

// TestExtentsTile checks that each extent, read alone as a tar stream, is
// exactly one member of that name, and that the extents tile the archive up
// to the end marker.
func TestExtentsTile(t *testing.T) {
	root := smallLayout(t)
	for _, p := range []string{layoutTar(t, root), longNameTar(t, root)} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		exts, end, err := extents(t.Context(), bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var at int64
		for _, x := range exts {
			if x.start != at || x.end <= x.start || x.end%blockSize != 0 {
				t.Fatalf("extent %+v after offset %d", x, at)
			}
			at = x.end
			alone := append(bytes.Clone(data[x.start:x.end]), make([]byte, 2*blockSize)...)
			tr := tar.NewReader(bytes.NewReader(alone))
			hdr, err := tr.Next()
			if err != nil {
				t.Fatalf("extent %+v: %v", x, err)
			}
			if name, _ := cleanName(hdr.Name); name != x.name {
				t.Fatalf("extent %+v holds %q", x, hdr.Name)
			}
			if _, err := io.Copy(io.Discard, tr); err != nil {
				t.Fatal(err)
			}
			if _, err := tr.Next(); err != io.EOF {
				t.Fatalf("extent %+v holds more than one member: %v", x, err)
			}
		}
		if at != end || len(exts) < 8 {
			t.Fatalf("%d extents end at %d, marker at %d", len(exts), at, end)
		}
	}
}

// TestCommitRefusesBrokenLink deletes a blob another member is a hard link
// to: the new archive would lose a blob, so Close fails and leaves the
// archive as it was.
func TestCommitRefusesBrokenLink(t *testing.T) {
	content, other := "linked content", "other"
	p := writeTar(t, file("oci-layout", okLayout), file("index.json", okIndex),
		file(blobName(content), content), file(blobName(other), other),
		link(tar.TypeLink, "blobs/sha256/"+strings.Repeat("0", 64), blobName(content)))
	before := stateOf(t, p)
	e := mustOpen(t, p)
	if err := e.DeleteBlob(t.Context(), digest.FromString(content)); err != nil {
		t.Fatal(err)
	}
	err := e.Close()
	if err == nil || !strings.Contains(err.Error(), "check new archive") {
		t.Fatalf("Close = %v, want the check to fail", err)
	}
	if !stateOf(t, p).same(before) {
		t.Fatal("archive changed")
	}
	if left := temps(t, p); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}
