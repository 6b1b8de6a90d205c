package dirimage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestDirIntoExistingDirectory: a copy into an existing directory writes
// into it: the directory keeps its inode, owner and mode (setgid
// included), and its files get its group as any file created in it.
func TestDirIntoExistingDirectory(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	ct.Multi(t, lay)
	d := filepath.Join(tmp, "d")
	os.Mkdir(d, 0o700)
	if os.Geteuid() == 0 {
		os.Chown(d, 65534, 65534)
	}
	os.Chmod(d, 0o770|os.ModeSetgid)
	before := statOf(t, d)
	for _, arch := range []string{"amd64", "arm64"} {
		toDir(t, ct.OpenLayout(t, lay, arch), d)
		if img := ct.Read(t, dirSource(t, d)); img.Architecture != arch {
			t.Fatalf("dir holds the %s image", img.Architecture)
		}
		after := statOf(t, d)
		if after.Ino != before.Ino || after.Mode != before.Mode || after.Uid != before.Uid || after.Gid != before.Gid {
			t.Fatalf("directory ino %d mode %o %d:%d, was %d %o %d:%d", after.Ino, after.Mode, after.Uid, after.Gid,
				before.Ino, before.Mode, before.Uid, before.Gid)
		}
		for _, n := range listDir(t, d) {
			if st := statOf(t, filepath.Join(d, n)); st.Gid != before.Gid {
				t.Fatalf("%s has group %d, not the directory's %d", n, st.Gid, before.Gid)
			}
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 2 {
		t.Fatalf("left behind: %v", ents)
	}
}

// TestDirStagesInside: the stage of a copy into an existing directory is
// inside it; a stale one (its copy was killed) is removed by the next
// copy and, like a live one, does not make an empty directory "not a
// containers image directory".
func TestDirStagesInside(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	ct.Small(t, lay, "latest")
	d := filepath.Join(tmp, "d")
	os.Mkdir(d, 0o755)
	stale := filepath.Join(d, ".lade-tmp-stage-123")
	os.Mkdir(stale, 0o700)
	os.WriteFile(filepath.Join(stale, "blob"), []byte("x"), 0o644)
	live := openDir(t, d).(*dest)
	if filepath.Dir(live.stage.Dir()) != d {
		t.Fatalf("stage %s, want it in %s", live.stage.Dir(), d)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the stale stage is still there: %v", err)
	}
	// A second copy while the first is staging: the first's stage is kept.
	toDir(t, ct.OpenLayout(t, lay, "latest"), d)
	if _, err := os.Stat(live.stage.Dir()); err != nil {
		t.Fatalf("a live stage was removed: %v", err)
	}
	live.Close()
	if got := listDir(t, d); !slices.Contains(got, "manifest.json") {
		t.Fatalf("dir holds %v", got)
	}
}

// TestDirFailedCommitKeepsOldImage: a commit that fails before
// manifest.json is switched takes back the files it had moved in: the
// old image is there as it was (and an empty directory stays empty).
func TestDirFailedCommitKeepsOldImage(t *testing.T) {
	tmp := t.TempDir()
	lay := filepath.Join(tmp, "l")
	ct.Multi(t, lay)
	old := filepath.Join(tmp, "old")
	toDir(t, ct.OpenLayout(t, lay, "amd64"), old)
	empty := filepath.Join(tmp, "empty")
	os.Mkdir(empty, 0o755)
	for _, d := range []string{old, empty} {
		before := listDir(t, d)
		manifest, _ := os.ReadFile(filepath.Join(d, manifestFile))
		dst := openDir(t, d).(*dest)
		src := ct.OpenLayout(t, lay, "arm64")
		img := ct.Read(t, src)
		// Stage every blob but lose the config's file before the commit.
		for _, b := range append([]ispec.Descriptor{img.Config}, img.Layers...) {
			rc, _ := src.Fetch(context.Background(), b)
			if err := dst.PutBlob(context.Background(), b, rc); err != nil {
				t.Fatal(err)
			}
			rc.Close()
		}
		os.Remove(dst.stage.Path(blobFile(img.Config.Digest)))
		if err := dst.Commit(context.Background(), img.Manifest, img.ManifestBytes); err == nil {
			t.Fatal("Commit with a missing staged file succeeded")
		}
		dst.Close()
		if got := listDir(t, d); !slices.Equal(got, before) {
			t.Fatalf("%s after a failed commit: %v, was %v", d, got, before)
		}
		if got, _ := os.ReadFile(filepath.Join(d, manifestFile)); !bytes.Equal(got, manifest) {
			t.Fatal("manifest.json changed")
		}
	}
}

func statOf(t *testing.T, path string) syscall.Stat_t {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st
}
