package testimage

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBenchRecipe(t *testing.T) {
	b, st := Bench()
	if st.Layers < 5 || st.Files < 20000 || st.FileBytes < 300<<20 || st.LargestFile < 40<<20 ||
		st.Symlinks == 0 || st.Hardlinks == 0 || st.Whiteouts == 0 || st.Opaques != 1 {
		t.Fatalf("bench image misses its targets: %+v", st)
	}
	var depth, entries int
	for _, l := range b.Layers {
		if l.Compression != Gzip {
			t.Errorf("layer compression %q", l.Compression)
		}
		for _, e := range l.Entries {
			entries++
			depth = max(depth, strings.Count(e.Path, "/"))
			if _, err := header(e); err != nil {
				t.Fatalf("entry %+v: %v", e, err)
			}
		}
	}
	if depth < 10 {
		t.Errorf("deepest path has %d separators, want a deep tree", depth)
	}
	// Same recipe, same entries.
	b2, st2 := Bench()
	if st2 != st || len(b2.Layers[4].Entries) != len(b.Layers[4].Entries) {
		t.Fatal("Bench is not deterministic")
	}
	for i, e := range b.Layers[4].Entries {
		if e2 := b2.Layers[4].Entries[i]; e.Path != e2.Path || e.Size != e2.Size {
			t.Fatalf("entry %d differs: %q/%d vs %q/%d", i, e.Path, e.Size, e2.Path, e2.Size)
		}
	}
	t.Logf("%d entries, %+v", entries, st)
}

func TestGenerators(t *testing.T) {
	g := newGen(1)
	for _, size := range []int64{0, 1, 4095, 4096, 100_003} {
		txt := g.text(uint64(size), size)
		bin, err := io.ReadAll(g.binary(uint64(size), size))
		if err != nil || int64(len(txt)) != size || int64(len(bin)) != size {
			t.Fatalf("size %d: text %d, binary %d (%v)", size, len(txt), len(bin), err)
		}
		bin2, _ := io.ReadAll(g.binary(uint64(size), size))
		if !bytes.Equal(bin, bin2) || !bytes.Equal(txt, g.text(uint64(size), size)) {
			t.Fatalf("size %d: generators are not deterministic", size)
		}
	}
	if !bytes.Contains(g.text(3, 1000), []byte("\n")) {
		t.Fatal("text has no lines")
	}
}

func TestWriteTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tree")
	if err := WriteTree(t.Context(), dir, 250, 100_000); err != nil {
		t.Fatal(err)
	}
	var files int
	var total int64
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			fi, _ := d.Info()
			files++
			total += fi.Size()
		}
		return err
	})
	if err != nil || files != 250 || total != 100_000 {
		t.Fatalf("tree has %d files, %d bytes (%v)", files, total, err)
	}
	if err := WriteTree(t.Context(), dir, 1, 1); err == nil {
		t.Fatal("WriteTree over an existing directory succeeded")
	}
	if err := WriteTree(t.Context(), filepath.Join(t.TempDir(), "x"), 0, 1); err == nil {
		t.Fatal("WriteTree with no files succeeded")
	}
}

func TestSmallAndBusyboxUnpack(t *testing.T) {
	if _, err := exec.LookPath("umoci"); err != nil || os.Geteuid() != 0 {
		t.Skip("needs umoci and root")
	}
	dir := filepath.Join(t.TempDir(), "layout")
	if _, err := Small().Write(t.Context(), dir, "small"); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), "b")
	umoci(t, "unpack", "--image", dir+":small", bundle)
	root := filepath.Join(bundle, "rootfs")
	if got := string(mustRead(t, filepath.Join(root, "etc/hostname"))); got != "small-v2\n" {
		t.Errorf("etc/hostname = %q", got)
	}
	libs, _ := os.ReadDir(filepath.Join(root, "opt/lib"))
	if len(libs) != 1 || libs[0].Name() != "c" {
		t.Errorf("opt/lib after opaque whiteout: %v", libs)
	}
	for _, gone := range []string{"opt/app/old.txt", "opt/tmp"} {
		if _, err := os.Lstat(filepath.Join(root, gone)); err == nil {
			t.Errorf("%s survived its whiteout", gone)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, "usr/bin/hello")); err != nil || fi.Sys() == nil || statNlink(fi) != 3 {
		t.Errorf("usr/bin/hello should have 3 links: %v", err)
	}

	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("no /bin/busybox")
	}
	bb, err := Busybox("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bb.Write(t.Context(), dir, "busybox"); err != nil {
		t.Fatal(err)
	}
	bundle = filepath.Join(t.TempDir(), "bb")
	umoci(t, "unpack", "--image", dir+":busybox", bundle)
	if target, err := os.Readlink(filepath.Join(bundle, "rootfs/bin/sh")); err != nil || target != "busybox" {
		t.Errorf("bin/sh -> %q (%v)", target, err)
	}
	cfg := string(mustRead(t, filepath.Join(bundle, "config.json")))
	for _, arg := range BusyboxCmd {
		if !strings.Contains(cfg, arg) {
			t.Errorf("config.json lacks arg %q", arg)
		}
	}
	out, err := exec.CommandContext(t.Context(), filepath.Join(bundle, "rootfs/bin/busybox"), slices.Concat([]string{"sh"}, BusyboxCmd[1:])...).Output()
	if err != nil || string(out) != BusyboxOutput {
		t.Errorf("busybox command printed %q (%v), want %q", out, err, BusyboxOutput)
	}
}
