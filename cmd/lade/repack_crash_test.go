package main

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/validate"
)

// TestCrashLeavesLayoutValid kills repack, insert and config with SIGKILL
// at random moments and checks each time that the layout is still valid:
// index.json parses and every blob reachable from it is present and
// matches its digest.
func TestCrashLeavesLayoutValid(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it ~30 times")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "lade")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build lade: %v\n%s", err, out)
	}
	lade := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), bin, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("lade %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	base := filepath.Join(tmp, "base")
	src := filepath.Join(tmp, "src")
	crashTree(t, src, 200)
	lade("init", "--layout", base)
	lade("new", "--image", base+":t")
	lade("insert", "--image", base+":t", src, "/opt/src")
	bundle := filepath.Join(tmp, "bundle")
	lade("unpack", "--image", base+":t", bundle)
	crashTree(t, filepath.Join(bundle, "rootfs", "new"), 200)
	big := bytes.Repeat([]byte("lade crash test data, not very compressible? "), 200_000)
	if err := os.WriteFile(filepath.Join(bundle, "rootfs", "big"), big, 0o644); err != nil {
		t.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 30 {
		layout := filepath.Join(tmp, "run")
		if err := os.RemoveAll(layout); err != nil {
			t.Fatal(err)
		}
		crashCopy(t, base, layout)
		var args []string
		switch i % 3 {
		case 0:
			args = []string{"repack", "--image", layout + ":out", bundle}
		case 1:
			args = []string{"insert", "--image", layout + ":t", filepath.Join(bundle, "rootfs"), "/copy"}
		default:
			args = []string{"config", "--image", layout + ":t", "--config.env", "A=B", "--author", "x"}
		}
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()

		e, err := dir.Open(t.Context(), layout)
		if err != nil {
			t.Fatalf("run %d (%s): open layout after kill: %v", i, args[0], err)
		}
		engine := casext.NewEngine(e)
		if err := validate.Layout(t.Context(), engine); err != nil {
			t.Errorf("run %d (%s): layout invalid after kill: %v", i, args[0], err)
		}
		if err := engine.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// crashTree writes n small files under root.
func crashTree(t *testing.T, root string, n int) {
	t.Helper()
	for i := range n {
		p := filepath.Join(root, string(rune('a'+i%26)), strings.Repeat("f", 1+i%7)+string(rune('0'+i%10)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, bytes.Repeat([]byte{byte(i)}, 100+i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// crashCopy copies the layout tree src to dst (regular files and dirs).
func crashCopy(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatalf("copy layout: %v", err)
	}
}
