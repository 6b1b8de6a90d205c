package dir

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the uid/gid the read-only helper runs as when the tests run as
// root, for whom directory permissions would not stop writes.
const nobody = 65534

// TestReadOnlyLayout opens a layout whose directories are 0o555: reads
// work and every write fails with cas.ErrReadOnly. As root, the check runs
// in a helper process re-executed as uid/gid 65534 so the permissions bite.
func TestReadOnlyLayout(t *testing.T) {
	// Everything the helper touches must be reachable by another uid.
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	base := t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	root := filepath.Join(base, "layout")
	if err := Create(t.Context(), root); err != nil {
		t.Fatal(err)
	}
	e := mustOpen(t, root)
	d, _, err := e.PutBlob(t.Context(), strings.NewReader("read me"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	makeReadOnly(t, root)

	if os.Geteuid() != 0 {
		if err := helperReadOnly(t.Context(), mustOpen(t, root), d); err != nil {
			t.Fatal(err)
		}
		return
	}

	for d := filepath.Dir(filepath.Dir(base)); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm()&0o001 == 0 {
			t.Skipf("uid %d cannot reach the temp dir through %s", nobody, d)
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	exe := filepath.Join(base, "helper.test")
	copyFile(t, testExe(t), exe, 0o755)
	cmd := helperCmd(t, exe, "readonly", root, string(d))
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: nobody, Gid: nobody, NoSetGroups: true},
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("read-only helper: %v: %s", err, out.String())
	}
	if got, want := strings.TrimSpace(out.String()), "ok euid=65534"; got != want {
		t.Fatalf("helper output %q, want %q", got, want)
	}
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
