package bundle

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestExportTempDir: the temporary tree goes next to a regular or new
// output, and to $TMPDIR ("") for a symlink or a pipe, such as /dev/stdout,
// whose directory (/dev) is no place for an unpacked image.
func TestExportTempDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.tar")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ output, want string }{
		{file, dir},
		{filepath.Join(dir, "new.tar"), dir},
		{fifo, ""},
		{link, ""},
		{"/dev/stdout", ""},
		{"/dev/null", ""},
	} {
		if got := exportTempDir(tc.output); got != tc.want {
			t.Errorf("exportTempDir(%s) = %q, want %q", tc.output, got, tc.want)
		}
	}
}
