package copytest_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/dirimage"
	"github.com/lade-oci/lade/oci/transport/dockerarchive"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	"github.com/lade-oci/lade/oci/transport/layout"
	"github.com/opencontainers/go-digest"
)

// openDest opens a local destination by name.
func openDest(ctx context.Context, name transport.Name, opts transport.Options) (transport.Destination, error) {
	switch name.Transport {
	case transport.Dir:
		return dirimage.OpenDestination(ctx, name, opts)
	case transport.DockerArchive:
		return dockerarchive.OpenDestination(ctx, name, opts)
	}
	return layout.OpenDestination(ctx, name, opts)
}

// copyWith copies src to the destination dst opened with opts.
func copyWith(t *testing.T, src, dst string, opts transport.Options) {
	t.Helper()
	d, err := openDest(context.Background(), ct.MustParse(t, dst), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ct.Copy(context.Background(), openSource(t, src), d); err != nil {
		t.Fatalf("copy %s %s: %v", src, dst, err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

// existingTarget is a destination that exists before the copy: a
// directory (oci:, dir:) or a file (oci-archive:, docker-archive:).
type existingTarget struct {
	transport string
	dir       bool
	suffix    string // after the path in the name
}

var existingTargets = []existingTarget{
	{"oci", true, ":v1"},
	{"dir", true, ""},
	{"oci-archive", false, ":v1"},
	{"docker-archive", false, ":foo/bar:v1"},
}

// attrs is what a copy into an existing target must keep.
type attrs struct {
	ino       uint64
	mode      uint32 // with setgid
	uid, gid  uint32
	isDirBool bool
}

func attrsOf(t *testing.T, path string) attrs {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return attrs{ino: st.Ino, mode: st.Mode, uid: st.Uid, gid: st.Gid, isDirBool: fi.IsDir()}
}

// makeTarget creates the target of tg in parent: a directory 02770 or a
// file 02660 (setgid: a shared group's directory), owned by nobody:nogroup
// when running as root.
func makeTarget(t *testing.T, parent string, tg existingTarget) string {
	t.Helper()
	path := filepath.Join(parent, "target")
	var err error
	if tg.dir {
		err = os.Mkdir(path, 0o700)
	} else {
		err = os.WriteFile(path, nil, 0o600)
	}
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(path, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	mode := os.FileMode(0o660)
	if tg.dir {
		mode = 0o770
	}
	if err := os.Chmod(path, mode|os.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkCopiedInto checks that target kept before's attributes and holds
// the image, and that no temporary file is left in dirs.
func checkCopiedInto(t *testing.T, name, target string, before attrs, config digest.Digest, dirs ...string) {
	t.Helper()
	if after := attrsOf(t, target); after != before {
		t.Errorf("%s: target attributes %+v, were %+v", name, after, before)
	}
	n := ct.MustParse(t, name)
	open := layout.OpenSource
	if n.Transport == transport.Dir {
		open = dirimage.OpenSource
	}
	src, err := open(context.Background(), n, transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close() // now: an oci-archive: open here is not rewritten in place
	if img := ct.Read(t, src); img.Config.Digest != config {
		t.Errorf("%s holds config %s, want %s", name, img.Config.Digest, config)
	}
	for _, d := range dirs {
		if names, _ := filepath.Glob(filepath.Join(d, ".lade-tmp-*")); len(names) > 0 {
			t.Errorf("%s: temporary files left: %v", name, names)
		}
	}
}

// TestIntoTargetInUnwritableDir: every local destination that exists is
// written into when its directory may not be written (a user's directory
// or file, created for them by an admin in a shared directory), keeping
// its inode, owner, group and mode (setgid included). The blobs of an
// archive are staged in the temporary directory then.
func TestIntoTargetInUnwritableDir(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	res := ct.Small(t, src, "latest")
	tempDir := filepath.Join(tmp, "tmpdir")
	os.Mkdir(tempDir, 0o755)
	for i, tg := range existingTargets {
		t.Run(tg.transport, func(t *testing.T) {
			parent := filepath.Join(tmp, "p"+string(rune('0'+i)))
			os.Mkdir(parent, 0o755)
			target := makeTarget(t, parent, tg)
			before := attrsOf(t, target)
			ct.UnwritableDir(t, parent)
			name := tg.transport + ":" + target + tg.suffix
			copyWith(t, "oci:"+src+":latest", name, transport.Options{TempDir: tempDir})
			checkCopiedInto(t, name, target, before, res.Config.Digest, target, tempDir)
		})
	}
}

// TestIntoMountPoint: a target that is a mount point (a volume, a
// bind-mounted file) is written into, not renamed over (EBUSY).
func TestIntoMountPoint(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	res := ct.Small(t, src, "latest")
	for i, tg := range existingTargets {
		t.Run(tg.transport, func(t *testing.T) {
			parent := filepath.Join(tmp, "p"+string(rune('0'+i)))
			os.Mkdir(parent, 0o755)
			target := makeTarget(t, parent, tg)
			ct.BindMount(t, target)
			before := attrsOf(t, target)
			name := tg.transport + ":" + target + tg.suffix
			copyWith(t, "oci:"+src+":latest", name, transport.Options{})
			checkCopiedInto(t, name, target, before, res.Config.Digest, parent, target)
			// A second copy (a replacement for dir: and oci-archive:,
			// a new tag for oci:) works as well; docker-archive: refuses
			// a non-empty file, as skopeo does.
			if tg.transport != "docker-archive" {
				copyWith(t, "oci:"+src+":latest", name, transport.Options{})
				checkCopiedInto(t, name, target, before, res.Config.Digest, parent, target)
			}
		})
	}
}
