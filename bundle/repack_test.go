package bundle

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/compress"
)

// repackHistoryOf is a History builder giving created_by and the image's
// author, as the CLI does.
func repackHistoryOf(createdBy string) func(ispec.Image) (*ispec.History, error) {
	return func(img ispec.Image) (*ispec.History, error) {
		created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		return &ispec.History{Created: &created, CreatedBy: createdBy, Author: img.Author}, nil
	}
}

func TestRepackNoChangeAddsOnlyHistory(t *testing.T) {
	b := testimage.Small()
	b.Author = "someone"
	b.Variant = "v9"
	f := newRepackFixture(t, b)
	baseManifest, baseImg := f.image(t, mustResolve(t, f, "base"))

	m, img := f.repack(t, RepackOptions{History: repackHistoryOf("umoci repack")})
	if len(m.Layers) != len(baseManifest.Layers) || len(img.RootFS.DiffIDs) != len(baseImg.RootFS.DiffIDs) {
		t.Fatalf("no-change repack added a layer: %d layers, %d diff_ids", len(m.Layers), len(img.RootFS.DiffIDs))
	}
	if len(img.History) != len(baseImg.History)+1 {
		t.Fatalf("history has %d entries, want %d", len(img.History), len(baseImg.History)+1)
	}
	h := img.History[len(img.History)-1]
	if !h.EmptyLayer || h.CreatedBy != "umoci repack" || h.Author != "someone" {
		t.Errorf("history entry = %+v, want empty_layer umoci repack by someone", h)
	}
	if !img.Created.Equal(*baseImg.Created) {
		t.Errorf("created bumped: %v, want %v", img.Created, baseImg.Created)
	}
	if img.Variant != "v9" || img.Author != "someone" {
		t.Errorf("platform/author lost: variant %q author %q", img.Variant, img.Author)
	}

	// Without a history builder nothing changes at all.
	path, err := Repack(t.Context(), f.engine, "same", f.bundle, RepackOptions{})
	if err != nil {
		t.Fatalf("repack: %v", err)
	}
	if path.Descriptor().Digest != mustResolve(t, f, "base").Descriptor().Digest {
		t.Errorf("repack without history or changes changed the manifest")
	}
}

func TestRepackChanges(t *testing.T) {
	f := newRepackFixture(t, testimage.Small())
	rootfs := f.rootfs
	repackWrite(t, filepath.Join(rootfs, "newfile"), "new\n")
	repackWrite(t, filepath.Join(rootfs, "etc/hostname"), "changed\n")
	if err := os.Remove(filepath.Join(rootfs, "opt/app/config.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(rootfs, "opt/lib")); err != nil {
		t.Fatal(err)
	}
	// Dropping one name of a hardlinked pair changes the other's nlink.
	if err := os.Remove(filepath.Join(rootfs, "usr/bin/hello3")); err != nil {
		t.Fatal(err)
	}

	m, img := f.repack(t, RepackOptions{History: repackHistoryOf("umoci repack"), Compression: func([]ispec.Descriptor) (compress.Algorithm, error) { return compress.Zstd, nil }})
	last := m.Layers[len(m.Layers)-1]
	if last.MediaType != ispec.MediaTypeImageLayerZstd {
		t.Errorf("layer media type %q, want zstd", last.MediaType)
	}
	if h := img.History[len(img.History)-1]; h.EmptyLayer || h.CreatedBy != "umoci repack" {
		t.Errorf("history entry = %+v", h)
	}
	entries := f.readLayer(t, last)
	got := repackNames(entries)
	// etc/ itself is unchanged: only a file in it was rewritten.
	want := []string{".", "etc/hostname", "newfile", "opt/", "opt/app/", "opt/app/.wh.config.txt",
		"opt/.wh.lib", "usr/bin/", "usr/bin/hello", "usr/bin/hello2", "usr/bin/.wh.hello3"}
	slices.Sort(want)
	sorted := slices.Sorted(slices.Values(got))
	if !slices.Equal(sorted, want) {
		t.Fatalf("layer entries\n got %q\nwant %q", got, want)
	}
	for _, e := range entries {
		switch e.name {
		case "etc/hostname":
			if e.content != "changed\n" {
				t.Errorf("etc/hostname content %q", e.content)
			}
		case "newfile":
			if e.content != "new\n" || e.hdr.Mode&0o777 != 0o644 {
				t.Errorf("newfile = %q mode %o", e.content, e.hdr.Mode)
			}
		case "usr/bin/hello2":
			if e.hdr.Typeflag != 'x' && e.hdr.Linkname != "usr/bin/hello" {
				t.Errorf("usr/bin/hello2 is not a hardlink to usr/bin/hello: %+v", e.hdr)
			}
		}
		if strings.Contains(e.name, "opt/lib/") {
			t.Errorf("entry %q below a deleted directory", e.name)
		}
	}
}

func TestRepackMasks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     RepackOptions
		wantData bool
	}{
		{"volumes masked", RepackOptions{MaskPaths: []string{"/masked", "opt/app/"}}, false},
		{"no-mask-volumes", RepackOptions{MaskPaths: []string{"/masked", "opt/app/"}, NoMaskVolumes: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := testimage.Small()
			b.Config.Volumes = map[string]struct{}{"/data": {}}
			f := newRepackFixture(t, b)
			repackWrite(t, filepath.Join(f.rootfs, "data/x"), "x")
			repackWrite(t, filepath.Join(f.rootfs, "masked/y"), "y")
			repackWrite(t, filepath.Join(f.rootfs, "maskedness"), "kept: only a prefix of the mask")
			repackWrite(t, filepath.Join(f.rootfs, "opt/app/config.txt"), "masked too")
			m, _ := f.repack(t, tc.opts)
			names := repackNames(f.readLayer(t, m.Layers[len(m.Layers)-1]))
			if !slices.Contains(names, "maskedness") {
				t.Errorf("maskedness missing from %q", names)
			}
			for _, n := range names {
				if strings.HasPrefix(n, "masked/") || strings.HasPrefix(n, "opt/app") {
					t.Errorf("masked entry %q in layer", n)
				}
			}
			if got := slices.Contains(names, "data/x"); got != tc.wantData {
				t.Errorf("data/x in layer = %v, want %v (%q)", got, tc.wantData, names)
			}
		})
	}
}

func TestRepackRefreshBundle(t *testing.T) {
	f := newRepackFixture(t, testimage.Small())
	oldMtree := repackManifestPath(f.bundle, mustMeta(t, f).From)
	repackWrite(t, filepath.Join(f.rootfs, "first"), "1")
	m1, _ := f.repack(t, RepackOptions{RefreshBundle: true})

	meta := mustMeta(t, f)
	if meta.From.Root().Annotations[ispec.AnnotationRefName] != "out" {
		t.Errorf("umoci.json root annotations %v, want ref.name out", meta.From.Root().Annotations)
	}
	if _, err := os.Stat(oldMtree); !os.IsNotExist(err) {
		t.Errorf("old manifest %s still there: %v", oldMtree, err)
	}
	if _, err := os.Stat(repackManifestPath(f.bundle, meta.From)); err != nil {
		t.Errorf("new manifest missing: %v", err)
	}

	// A second repack with no change adds nothing; one with a change
	// makes a child layer holding only that change.
	m2, _ := f.repack(t, RepackOptions{})
	if len(m2.Layers) != len(m1.Layers) {
		t.Fatalf("no-change repack after refresh added a layer (%d → %d)", len(m1.Layers), len(m2.Layers))
	}
	repackWrite(t, filepath.Join(f.rootfs, "second"), "2")
	m3, _ := f.repack(t, RepackOptions{})
	if len(m3.Layers) != len(m1.Layers)+1 {
		t.Fatalf("child repack: %d layers, want %d", len(m3.Layers), len(m1.Layers)+1)
	}
	// The root shows up only if its whole-second mtime moved since the
	// refresh, as with umoci.
	names := slices.DeleteFunc(repackNames(f.readLayer(t, m3.Layers[len(m3.Layers)-1])), func(n string) bool { return n == "." })
	if !slices.Equal(names, []string{"second"}) {
		t.Errorf("child layer entries %q, want [second] (and maybe .)", names)
	}
}

// TestRepackTrustsStatCache proves unchanged files are not re-hashed: a
// file rewritten with the same size and mtime, whose ctime is then
// written into the stat cache, is taken as unchanged.
func TestRepackTrustsStatCache(t *testing.T) {
	for _, doctor := range []bool{false, true} {
		t.Run(map[bool]string{false: "honest cache", true: "doctored cache"}[doctor], func(t *testing.T) {
			f := newRepackFixture(t, testimage.Small())
			p := filepath.Join(f.rootfs, "etc/os-release")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			// Same size, same mtime, different bytes.
			if err := os.WriteFile(p, []byte("ID=SMALL\nVERSION_ID=1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			if doctor {
				repackDoctorCache(t, f.bundle, "etc/os-release", p)
			}
			m, _ := f.repack(t, RepackOptions{})
			names := repackNames(f.readLayer(t, m.Layers[len(m.Layers)-1]))
			changed := slices.Contains(names, "etc/os-release")
			if changed == doctor {
				t.Fatalf("doctored=%v but etc/os-release in layer = %v (%q)", doctor, changed, names)
			}
		})
	}
}

func TestRepackErrors(t *testing.T) {
	f := newRepackFixture(t, testimage.Small())
	repackWrite(t, filepath.Join(f.rootfs, "etc/.wh.sneaky"), "")
	_, err := Repack(t.Context(), f.engine, "out", f.bundle, RepackOptions{})
	if err == nil || !strings.Contains(err.Error(), ".wh.") {
		t.Errorf("repack with a .wh. file: err = %v", err)
	}
	if _, err := Repack(t.Context(), f.engine, "bad tag!", f.bundle, RepackOptions{}); err == nil {
		t.Errorf("repack to an invalid tag succeeded")
	}
	if _, err := Repack(t.Context(), f.engine, "out", t.TempDir(), RepackOptions{}); err == nil {
		t.Errorf("repack of a directory without umoci.json succeeded")
	}
}

// TestRepackRootfsSymlink: a bundle whose rootfs is a symlink to a
// directory outside it is refused; nothing the link points to is packed.
func TestRepackRootfsSymlink(t *testing.T) {
	f := newRepackFixture(t, testimage.Small())
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.Rename(f.rootfs, outside); err != nil {
		t.Fatal(err)
	}
	repackWrite(t, filepath.Join(outside, "secret"), "not for the image")
	if err := os.Symlink(outside, f.rootfs); err != nil {
		t.Fatal(err)
	}
	_, err := Repack(t.Context(), f.engine, "out", f.bundle, RepackOptions{})
	if err == nil || !strings.Contains(err.Error(), "is a symlink") {
		t.Fatalf("repack of a symlinked rootfs: err = %v", err)
	}
	if err := os.Remove(f.rootfs); err != nil {
		t.Fatal(err)
	}
	repackWrite(t, f.rootfs, "a file")
	if _, err := Repack(t.Context(), f.engine, "out", f.bundle, RepackOptions{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("repack of a file rootfs: err = %v", err)
	}
}

// TestRepackUmoci047Meta repacks a bundle whose umoci.json is in the form
// Debian's umoci 0.4.7 writes, with "whiteout_mode":0.
func TestRepackUmoci047Meta(t *testing.T) {
	f := newRepackFixture(t, testimage.Small())
	metaPath := filepath.Join(f.bundle, MetaName)
	data, err := os.ReadFile(metaPath)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.TrimSuffix(strings.TrimSpace(string(data)), "}") + `,"whiteout_mode":0}` + "\n"
	if err := os.WriteFile(metaPath, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	repackWrite(t, filepath.Join(f.rootfs, "x"), "x")
	m, _ := f.repack(t, RepackOptions{RefreshBundle: true})
	if names := repackNames(f.readLayer(t, m.Layers[len(m.Layers)-1])); !slices.Equal(names, []string{".", "x"}) {
		t.Errorf("layer entries %q", names)
	}
	data, err = os.ReadFile(metaPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "whiteout_mode") {
		t.Errorf("refreshed umoci.json still has whiteout_mode: %s", data)
	}
}
