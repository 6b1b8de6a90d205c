package mtreeutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// manifestBody returns the part of a manifest after the keywords header.
func manifestBody(t *testing.T, text string) string {
	t.Helper()
	_, after, ok := strings.Cut(text, "keywords: ")
	if !ok {
		t.Fatalf("no keywords header in:\n%s", text)
	}
	return after
}

func walkText(t *testing.T, root string) string {
	t.Helper()
	dh, err := Walk(t.Context(), root, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out.mtree")
	if err := WriteManifest(t.Context(), path, dh); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestWalkMatchesDemoManifest rebuilds the rootfs of the examples' demo
// bundle and compares with the manifest umoci wrote for it.
func TestWalkMatchesDemoManifest(t *testing.T) {
	want, err := os.ReadFile("/work/shared/spec/examples/demo.bundle.mtree")
	if err != nil {
		t.Skipf("umoci example not available: %v", err)
	}
	if os.Getuid() != 0 {
		t.Skip("needs root: the demo tree is owned by 0:0")
	}
	root := filepath.Join(t.TempDir(), "rootfs")
	files := map[string]string{
		"hello.txt":  "hi\n",
		"etc/group":  "root:x:0:\napp:x:1000:app\nwheel:x:10:app\n",
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n",
	}
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stamp := time.Unix(1700000000, 0)
	for _, p := range []string{"hello.txt", "etc/group", "etc/passwd", "etc"} {
		if err := os.Chtimes(filepath.Join(root, p), stamp, stamp); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(root, time.Unix(0, 0), time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(root); err != nil || fi.Size() != 4096 {
		t.Skip("directory sizes differ from ext4's 4096 here")
	}
	got := walkText(t, root)
	if g, w := manifestBody(t, got), manifestBody(t, string(want)); g != w {
		t.Errorf("manifest body differs:\n--- got\n%s\n--- want\n%s", g, w)
	}
}

// TestWalkMatchesUmociUnpack has umoci 0.4.7 unpack a varied tree and
// compares its manifest with a Walk of the same rootfs.
func TestWalkMatchesUmociUnpack(t *testing.T) {
	umoci, err := exec.LookPath("umoci")
	if err != nil {
		t.Skip("umoci not installed")
	}
	if os.Getuid() != 0 {
		t.Skip("needs root for a non-rootless umoci unpack")
	}
	src := variedTree(t)
	if err := os.Remove(filepath.Join(src, "fifo")); err != nil { // umoci insert skips sockets, keep it simple
		t.Fatal(err)
	}
	dir := t.TempDir()
	layout, bundle := filepath.Join(dir, "img"), filepath.Join(dir, "bundle")
	run := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), umoci, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("umoci %v: %v\n%s", args, err, out)
		}
	}
	run("init", "--layout", layout)
	run("new", "--image", layout+":t")
	run("insert", "--image", layout+":t", src, "/")
	run("unpack", "--image", layout+":t", bundle)
	matches, err := filepath.Glob(filepath.Join(bundle, "sha256_*.mtree"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("manifest not found: %v %v", matches, err)
	}
	want, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	got := walkText(t, filepath.Join(bundle, "rootfs"))
	if g, w := manifestBody(t, got), manifestBody(t, string(want)); g != w {
		t.Errorf("manifest body differs from umoci's:\n--- got\n%s\n--- want\n%s", g, w)
	}
	if !strings.Contains(got, "mode=04755") || !strings.Contains(got, "xattr.user.greeting=") {
		t.Errorf("tree lost special bits or xattrs:\n%s", got)
	}
}
