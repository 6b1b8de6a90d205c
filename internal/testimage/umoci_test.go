package testimage

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// umoci runs Debian's umoci as a black-box validator of written layouts.
func umoci(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "umoci", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("umoci %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestUmociAcceptsLayout(t *testing.T) {
	if _, err := exec.LookPath("umoci"); err != nil {
		t.Skip("umoci not installed")
	}
	if os.Geteuid() != 0 {
		t.Skip("umoci unpack without --rootless needs root")
	}
	// umoci 0.4.7 cannot unpack zstd layers: use gzip and none here.
	b := sample()
	b.Layers[1].Compression = Gzip
	dir := filepath.Join(t.TempDir(), "layout")
	if _, err := b.Write(t.Context(), dir, "v1"); err != nil {
		t.Fatal(err)
	}
	stat := umoci(t, "stat", "--image", dir+":v1")
	for _, want := range []string{"LAYER", "links", "removals"} {
		if !strings.Contains(stat, want) {
			t.Errorf("umoci stat lacks %q:\n%s", want, stat)
		}
	}
	bundle := filepath.Join(t.TempDir(), "bundle")
	umoci(t, "unpack", "--image", dir+":v1", bundle)
	root := filepath.Join(bundle, "rootfs")

	tests := []struct {
		path    string
		exists  bool
		content string
		mode    os.FileMode
	}{
		{"etc/passwd", true, "root:x:0:0:root:/root:/bin/sh\n", 0o644},
		{"home/app/f", true, "app file\n", 0o600},
		{"gone", false, "", 0},
		{"opt/old/x", false, "", 0},
		{"opt/old/y", true, "y", 0o644},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			fi, err := os.Lstat(filepath.Join(root, tc.path))
			if !tc.exists {
				if err == nil {
					t.Fatalf("%s survived its whiteout", tc.path)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(mustRead(t, filepath.Join(root, tc.path))); got != tc.content || fi.Mode().Perm() != tc.mode {
				t.Fatalf("%s: %q mode %v", tc.path, got, fi.Mode())
			}
		})
	}
	if target, err := os.Readlink(filepath.Join(root, "bin")); err != nil || target != "usr/bin" {
		t.Errorf("bin symlink: %q %v", target, err)
	}
	a, errA := os.Stat(filepath.Join(root, "etc/passwd"))
	c, errC := os.Stat(filepath.Join(root, "etc/passwd-"))
	if errA != nil || errC != nil || a.Sys().(*syscall.Stat_t).Ino != c.Sys().(*syscall.Stat_t).Ino {
		t.Errorf("etc/passwd- is not a hardlink of etc/passwd (%v, %v)", errA, errC)
	}
	if fi, err := os.Stat(filepath.Join(root, "usr/bin/tool")); err != nil || fi.Mode()&os.ModeSetuid == 0 {
		t.Errorf("usr/bin/tool lost setuid: %v %v", fi, err)
	}
	if fi, err := os.Stat(filepath.Join(root, "home/app/f")); err != nil || fi.Sys().(*syscall.Stat_t).Uid != 1000 {
		t.Errorf("home/app/f owner: %v", err)
	}
	cfg := string(mustRead(t, filepath.Join(bundle, "config.json")))
	for _, want := range []string{`"/bin/sh"`, `"echo hi"`, `"FOO=bar"`, `"cwd": "/home/app"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config.json lacks %s", want)
		}
	}
}
