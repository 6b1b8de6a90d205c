package unpriv

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// asNobody re-runs the current test as uid/gid 65534 when the suite runs as
// root, so the permission checks under test really apply. It returns true
// when the caller (the root parent) should stop.
func asNobody(t *testing.T) bool {
	t.Helper()
	if os.Getuid() != 0 {
		return false
	}
	if os.Getenv("UNPRIV_TEST_CHILD") != "" {
		t.Fatal("still root inside the re-executed child")
	}
	dir, err := os.MkdirTemp("", "unpriv-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The go test build dir is private to root: run a copy nobody can reach.
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	exe = filepath.Join(dir, "test.bin")
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), exe, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "UNPRIV_TEST_CHILD=1", "TMPDIR="+dir, "GOCOVERDIR=")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child as nobody: %v\n%s", err, out)
	}
	return true
}

func TestWrapAndRemoveAll(t *testing.T) {
	if asNobody(t) {
		return
	}
	root := t.TempDir()
	t.Cleanup(func() { _ = RemoveAll(root, root) })
	locked := filepath.Join(root, "locked")
	inner := filepath.Join(locked, "inner")
	if err := os.MkdirAll(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inner, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(inner, 0o000); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0o000); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(inner, "new")
	if err := os.WriteFile(target, nil, 0o644); !errors.Is(err, os.ErrPermission) {
		t.Fatalf("plain write into 000 dir: %v (test not unprivileged?)", err)
	}
	err := WrapSelf(root, inner, func(string) error { return os.WriteFile(target, []byte("y"), 0o644) })
	if err != nil {
		t.Fatalf("WrapSelf: %v", err)
	}
	for _, p := range []string{locked, inner} {
		var fi os.FileInfo
		err := Wrap(root, p, func(p string) (err error) { fi, err = os.Lstat(p); return err })
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0 {
			t.Fatalf("%s mode %o not restored", p, fi.Mode().Perm())
		}
	}
	if err := Wrap(root, target, func(p string) error { _, err := os.Lstat(p); return err }); err != nil {
		t.Fatalf("Wrap lstat: %v", err)
	}
	if err := RemoveAll(root, locked); err != nil {
		t.Fatalf("RemoveAll: %v", err)
	}
	if _, err := os.Lstat(locked); !os.IsNotExist(err) {
		t.Fatalf("locked still exists: %v", err)
	}
}
