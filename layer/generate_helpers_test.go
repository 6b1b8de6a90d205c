package layer

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/system"
	"github.com/vbatts/go-mtree"
	"golang.org/x/sys/unix"
)

// generateTestKeywords is umoci's mtree keyword set.
var generateTestKeywords = []mtree.Keyword{
	"size", "type", "uid", "gid", "mode", "link", "nlink", "tar_time", "sha256digest", "xattr",
}

// generateTestOld is a fixed time older than anything the tests create.
var generateTestOld = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

// generateEntry is one tar entry read back, with its body.
type generateEntry struct {
	hdr  *tar.Header
	body string
}

// generateReadTar parses a whole tar stream, checking it ends properly.
func generateReadTar(t *testing.T, data []byte) []generateEntry {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	var out []generateEntry
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read body of %s: %v", hdr.Name, err)
		}
		out = append(out, generateEntry{hdr: hdr, body: string(body)})
	}
}

func generateNames(entries []generateEntry) string {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.hdr.Name
	}
	return strings.Join(names, " ")
}

func generateFind(t *testing.T, entries []generateEntry, name string) generateEntry {
	t.Helper()
	for _, e := range entries {
		if e.hdr.Name == name {
			return e
		}
	}
	t.Fatalf("no entry %q in [%s]", name, generateNames(entries))
	return generateEntry{}
}

// generateWrite creates a file with content and raw mode bits (setuid
// etc. included) under root.
func generateWrite(t *testing.T, root, name, content string, mode uint32) string {
	t.Helper()
	p := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := unix.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// generateAgeTree sets every mtime/atime under root to generateTestOld so
// that later changes show up in whole-second tar_time comparisons.
func generateAgeTree(t *testing.T, root string) {
	t.Helper()
	err := filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return system.Lutimes(p, generateTestOld, generateTestOld)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// generateWalk records the tree at root with umoci's keywords.
func generateWalk(t *testing.T, root string) *mtree.DirectoryHierarchy {
	t.Helper()
	dh, err := mtree.Walk(root, nil, generateTestKeywords, nil)
	if err != nil {
		t.Fatalf("mtree walk: %v", err)
	}
	return dh
}

// generateAllDeltas returns deltas marking everything in root as new.
func generateAllDeltas(t *testing.T, root string) []mtree.InodeDelta {
	t.Helper()
	empty := generateWalk(t, t.TempDir())
	deltas, err := mtree.Compare(empty, generateWalk(t, root), generateTestKeywords)
	if err != nil {
		t.Fatalf("mtree compare: %v", err)
	}
	return deltas
}

// generateSpecDeltas builds deltas from an mtree spec text listing extra
// entries, for paths no real walk would produce.
func generateSpecDeltas(t *testing.T, spec string) []mtree.InodeDelta {
	t.Helper()
	old, err := mtree.ParseSpec(strings.NewReader("/set type=dir\n. type=dir\n..\n"))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := mtree.ParseSpec(strings.NewReader(spec))
	if err != nil {
		t.Fatalf("parse spec: %v", err)
	}
	deltas, err := mtree.Compare(old, cur, []mtree.Keyword{"type"})
	if err != nil {
		t.Fatal(err)
	}
	return deltas
}

func generateLayerBytes(t *testing.T, root string, deltas []mtree.InodeDelta, opts *RepackOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := GenerateLayer(t.Context(), &buf, root, deltas, opts); err != nil {
		t.Fatalf("GenerateLayer: %v", err)
	}
	return buf.Bytes()
}

// generateSetXattr sets an xattr or skips the test where the filesystem
// does not support it.
func generateSetXattr(t *testing.T, path, name, value string) {
	t.Helper()
	if err := system.Lsetxattr(path, name, []byte(value)); err != nil {
		if system.IsXattrUnsupported(err) {
			t.Skipf("xattrs unsupported here: %v", err)
		}
		t.Fatal(err)
	}
}

func generateRequireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}
