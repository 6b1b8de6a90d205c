package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/urfave/cli/v2"
)

func init() {
	// A hidden command that panics, to test the top-level recovery.
	registerCommand(&cli.Command{
		Name:   "test-panic",
		Hidden: true,
		Action: func(*cli.Context) error { panic("boom") },
	})
	// Two hidden commands failing with a permission error, one with a
	// --rootless flag, to test when the --rootless hint is printed.
	eperm := func(*cli.Context) error {
		return fmt.Errorf("write x: %w", &os.PathError{Op: "open", Path: "x", Err: os.ErrPermission})
	}
	registerCommand(&cli.Command{Name: "test-eperm", Hidden: true, Action: eperm})
	registerCommand(&cli.Command{
		Name:   "test-eperm-rootless",
		Hidden: true,
		Flags:  []cli.Flag{&cli.BoolFlag{Name: "rootless"}},
		Action: eperm,
	})
}

// result is the outcome of one lade invocation.
type result struct {
	code           int
	stdout, stderr string
}

// lade runs the CLI in-process with args (without the program name).
func lade(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"lade"}, args...), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// mustLade runs lade and fails the test unless it succeeds.
func mustLade(t *testing.T, args ...string) result {
	t.Helper()
	r := lade(t, args...)
	if r.code != 0 {
		t.Fatalf("lade %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// failLade runs lade and fails the test unless it exits 1 with exactly one
// error line on stderr containing want.
func failLade(t *testing.T, want string, args ...string) result {
	t.Helper()
	r := lade(t, args...)
	if r.code != 1 {
		t.Fatalf("lade %s: exit %d, want 1\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "   ⨯ ") {
		t.Errorf("lade %s: want one error line, got stderr:\n%s", strings.Join(args, " "), r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("lade %s: stderr %q does not contain %q", strings.Join(args, " "), r.stderr, want)
	}
	return r
}

// copyDir copies the regular files and directories of src into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

// exampleLayout returns a writable copy of the example umoci layout.
func exampleLayout(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "layout")
	copyDir(t, filepath.Join("testdata", "umoci-layout"), dst)
	return dst
}

// newLayout creates an empty layout with lade init.
func newLayout(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "layout")
	mustLade(t, "init", "--layout", path)
	return path
}

func TestPanicIsOneLineError(t *testing.T) {
	failLade(t, "internal error: boom", "test-panic")
}

func TestReportErrorPermissionHint(t *testing.T) {
	var b bytes.Buffer
	logger := setupLogging(&b)
	reportError(t.Context(), logger, "umoci", &os.PathError{Op: "open", Path: "x", Err: os.ErrPermission}, true)
	want := "   • umoci encountered a permission error: maybe --rootless will help?\n   ⨯ open x: permission denied\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// TestRootlessHintOnlyWithTheFlag: the hint is printed for a permission
// error of a command that has --rootless, and not for one of a command
// without it (copy, inspect, login...), where it would be wrong.
func TestRootlessHintOnlyWithTheFlag(t *testing.T) {
	const hint = "   • lade encountered a permission error: maybe --rootless will help?\n"
	r := lade(t, "test-eperm-rootless")
	if r.code != 1 || r.stderr != hint+"   ⨯ write x: open x: permission denied\n" {
		t.Errorf("command with --rootless: exit %d, stderr %q", r.code, r.stderr)
	}
	failLade(t, "write x: open x: permission denied", "test-eperm")
}

// TestReportErrorNoHintForReadOnly: a layout or archive that is read-only
// for the user gets no --rootless hint, which would not help.
func TestReportErrorNoHintForReadOnly(t *testing.T) {
	var b bytes.Buffer
	logger := setupLogging(&b)
	err := fmt.Errorf("put blob: %w: %w", cas.ErrReadOnly, &os.PathError{Op: "open", Path: "x", Err: os.ErrPermission})
	reportError(t.Context(), logger, "lade", err, true)
	if want := "   ⨯ put blob: layout is read-only: open x: permission denied\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
