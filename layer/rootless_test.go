package layer

import (
	"archive/tar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/lade-oci/lade/internal/rootlesscontainers"
	"github.com/lade-oci/lade/internal/unpriv"
	"github.com/lade-oci/lade/layer/layertest"
)

const nobody = 65534

// asNobody re-runs the current test as uid/gid 65534 when the suite runs as
// root, so rootless mode meets real permission checks. It returns true in
// the root parent, which must then stop.
func asNobody(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return false
	}
	if os.Getenv("LADE_LAYER_TEST_CHILD") != "" {
		t.Fatal("still root inside the re-executed child")
	}
	dir, err := os.MkdirTemp("", "layer-rootless-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	// go test's build directory is private to root: run a copy nobody reaches.
	bin := filepath.Join(dir, "layer.test")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, bin} {
		if err := os.Chown(p, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "LADE_LAYER_TEST_CHILD=1", "TMPDIR="+dir, "HOME="+dir, "GOCOVERDIR=")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("test as nobody: %v\n%s", err, out)
	}
	return true
}

func TestUnpackRootless(t *testing.T) {
	if asNobody(t) {
		return
	}
	root := newRoot(t)
	t.Cleanup(func() { _ = unpriv.RemoveAll(filepath.Dir(root), filepath.Dir(root)) })
	if err := unpack(t, root, nil, []layertest.Entry{{Type: tar.TypeReg, Name: "f", UID: 0, GID: 0}}); err == nil ||
		!strings.Contains(err.Error(), "--rootless") {
		t.Fatalf("unprivileged unpack without rootless: %v", err)
	}
	opts := &UnpackOptions{MapOptions: MapOptions{Rootless: true}}
	mustUnpack(t, root, opts,
		[]layertest.Entry{
			{Type: tar.TypeDir, Name: "locked", Mode: layertest.ModeNone},
			{Type: tar.TypeDir, Name: "locked/inner", Mode: layertest.ModeNone},
			{Type: tar.TypeReg, Name: "locked/inner/f", Content: "x", UID: 1000, GID: 100},
			{Type: tar.TypeDir, Name: "ro", Mode: 0o555},
			layertest.File("ro/x", "x"),
			{Type: tar.TypeChar, Name: "dev/null", Major: 1, Minor: 3, Mode: 0o666, UID: 0, GID: 5},
			{Type: tar.TypeFifo, Name: "fifo", Mode: 0o600},
			{Type: tar.TypeReg, Name: "uidonly", UID: 5},
			{Type: tar.TypeReg, Name: "forged", Xattrs: map[string]string{rootlesscontainers.Xattr: "\x08\x01"}},
		},
		[]layertest.Entry{
			layertest.File("locked/inner/g", "g"), layertest.Whiteout("ro/.wh.x"), layertest.File("ro/y", "y"),
		},
	)
	fs := fseval.NewIn(root, true)
	mode := func(p string) os.FileMode {
		fi, err := fs.Lstat(filepath.Join(root, p))
		if err != nil {
			t.Fatalf("lstat %s: %v", p, err)
		}
		return fi.Mode()
	}
	owner := func(p string) (rootlesscontainers.Resource, bool) {
		v, err := fs.Lgetxattr(filepath.Join(root, p), rootlesscontainers.Xattr)
		if err != nil {
			return rootlesscontainers.Resource{}, false
		}
		r, err := rootlesscontainers.Decode(v)
		if err != nil {
			t.Fatalf("decode %s owner: %v", p, err)
		}
		return r, true
	}
	if m := mode("locked"); m.Perm() != 0 || !m.IsDir() {
		t.Fatalf("locked mode %v", m)
	}
	if m := mode("locked/inner"); m.Perm() != 0 {
		t.Fatalf("locked/inner mode %v", m)
	}
	if m := mode("ro"); m.Perm() != 0o555 {
		t.Fatalf("ro mode %v", m)
	}
	names, err := fs.Readdirnames(filepath.Join(root, "locked/inner"))
	if err != nil || len(names) != 2 {
		t.Fatalf("locked/inner = %q, %v", names, err)
	}
	if names, _ := fs.Readdirnames(filepath.Join(root, "ro")); len(names) != 1 || names[0] != "y" {
		t.Fatalf("ro = %q", names)
	}
	if r, ok := owner("locked/inner/f"); !ok || r != (rootlesscontainers.Resource{UID: 1000, GID: 100}) {
		t.Fatalf("locked/inner/f owner %+v %v", r, ok)
	}
	if r, ok := owner("uidonly"); !ok || r != (rootlesscontainers.Resource{UID: 5, GID: rootlesscontainers.NoopID}) {
		t.Fatalf("uidonly owner %+v %v", r, ok)
	}
	if r, ok := owner("forged"); ok {
		t.Fatalf("layer-supplied owner xattr kept: %+v", r)
	}
	if _, ok := owner("ro/y"); ok {
		t.Fatal("0:0 file got an owner xattr")
	}
	if m := mode("dev/null"); !m.IsRegular() || m.Perm() != 0 {
		t.Fatalf("device placeholder mode %v", m)
	}
	if r, ok := owner("dev/null"); !ok || r.GID != 5 {
		t.Fatalf("placeholder owner %+v %v", r, ok)
	}
	if m := mode("fifo"); m&os.ModeNamedPipe == 0 {
		t.Fatalf("fifo mode %v", m)
	}
	mustUnpack(t, root, opts, []layertest.Entry{layertest.Whiteout(".wh.locked"), layertest.Whiteout(".wh.ro")})
	if names, _ := fs.Readdirnames(root); strings.Join(names, ",") == "" || strings.Contains(strings.Join(names, ","), "locked") {
		t.Fatalf("after whiteout root = %q", names)
	}
}
