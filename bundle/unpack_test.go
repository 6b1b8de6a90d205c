package bundle

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	rspec "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/lade-oci/lade/internal/mtreeutil"
	lt "github.com/lade-oci/lade/layer/layertest"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/compress"
)

// threeLayers is a gzip base, a zstd layer of whiteouts (plain and opaque)
// and additions, and an uncompressed layer.
func threeLayers(t *testing.T) []testLayer {
	return []testLayer{
		{alg: compress.Gzip, tar: lt.Tar(t,
			lt.Dir("etc"),
			lt.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"),
			lt.File("etc/group", "root:x:0:\napp:x:1000:\n"),
			lt.Dir("bin"),
			lt.Entry{Type: tar.TypeReg, Name: "bin/sh", Content: "#!shell\n", Mode: 0o755},
			lt.Dir("opt/a"),
			lt.File("opt/a/x", "x\n"),
			lt.File("opt/a/y", "y\n"),
			lt.File("gone", "gone\n"),
			lt.Dir("olddir/sub"),
			lt.File("olddir/sub/f", "f\n"),
			lt.File("keep", "keep\n"),
		)},
		{alg: compress.Zstd, tar: lt.Tar(t,
			lt.File("opt/a/z", "z\n"),
			lt.Whiteout(".wh.gone"),
			lt.Whiteout("opt/a/.wh..wh..opq"),
			lt.Whiteout(".wh.olddir"),
			lt.File("new", "new\n"),
			lt.Hardlink("bin/sh2", "bin/sh"),
		)},
		{alg: compress.None, tar: lt.Tar(t,
			lt.File("etc/hostname", "test\n"),
			lt.File("keep", "kept\n"),
		)},
	}
}

func TestUnpackMultiLayer(t *testing.T) {
	ctx := t.Context()
	ti := buildImage(t, func(img *ispec.Image) { img.Config.User = "app" }, threeLayers(t)...)
	bundle := filepath.Join(t.TempDir(), "a", "bundle")
	if err := Unpack(ctx, ti.engine, ti.path, bundle, UnpackOptions{}); err != nil {
		t.Fatalf("Unpack: %v", err)
	}
	mtreeName := MtreeName(ti.path.Descriptor().Digest)
	want := []string{mtreeutil.StatCacheName, ConfigName, RootfsName, mtreeName, MetaName}
	slices.Sort(want)
	if got := listDir(t, bundle); !slices.Equal(got, want) {
		t.Errorf("bundle holds %q, want %q", got, want)
	}
	if fi, err := os.Stat(bundle); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("bundle mode = %v (%v), want 0700", fi.Mode(), err)
	}

	rootfs := filepath.Join(bundle, RootfsName)
	files := map[string]string{
		"etc/hostname": "test\n", "keep": "kept\n", "new": "new\n", "opt/a/z": "z\n", "bin/sh": "#!shell\n", "bin/sh2": "#!shell\n",
	}
	for name, content := range files {
		if got := readFile(t, filepath.Join(rootfs, name)); got != content {
			t.Errorf("%s = %q, want %q", name, got, content)
		}
	}
	for _, name := range []string{"gone", "olddir", "opt/a/x", "opt/a/y"} {
		if _, err := os.Lstat(filepath.Join(rootfs, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s should be whited out: %v", name, err)
		}
	}
	if got := listDir(t, filepath.Join(rootfs, "opt/a")); !slices.Equal(got, []string{"z"}) {
		t.Errorf("opaque opt/a holds %q, want [z]", got)
	}
	fi, err := os.Stat(filepath.Join(rootfs, "bin/sh"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Nlink != 2 || fi.Mode().Perm() != 0o755 {
		t.Errorf("bin/sh nlink %d mode %v, want 2 and 0755", st.Nlink, fi.Mode())
	}

	var spec rspec.Spec
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(bundle, ConfigName))), &spec); err != nil {
		t.Fatal(err)
	}
	if spec.Root.Path != RootfsName || !slices.Equal(spec.Process.Args, []string{"/bin/sh"}) ||
		spec.Process.User.UID != 1000 || !slices.Contains(spec.Process.Env, "HOME=/home/app") {
		t.Errorf("config.json: root %q args %q uid %d env %q", spec.Root.Path, spec.Process.Args, spec.Process.User.UID, spec.Process.Env)
	}
	meta, err := ReadMeta(ctx, bundle)
	if err != nil {
		t.Fatal(err)
	}
	if meta.From.Descriptor().Digest != ti.path.Descriptor().Digest || meta.MapOptions.Rootless {
		t.Errorf("umoci.json = %+v", meta)
	}
	if stats, err := mtreeutil.LoadStatCache(ctx, bundle); err != nil || stats.Len() != 8 {
		t.Errorf("stat cache: %v, %d files, want 8", err, stats.Len())
	}
	checkMtreeFresh(t, bundle, mtreeName)
}

// checkMtreeFresh compares the bundle's manifest (written from the digests
// the applier recorded) with a walk that hashes every file, ignoring the
// date header line.
func checkMtreeFresh(t *testing.T, bundle, mtreeName string) {
	t.Helper()
	dh, err := mtreeutil.Walk(t.Context(), filepath.Join(bundle, RootfsName), mtreeutil.WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var fresh bytes.Buffer
	if _, err := dh.WriteTo(&fresh); err != nil {
		t.Fatal(err)
	}
	strip := func(s string) string {
		lines := strings.Split(s, "\n")
		return strings.Join(slices.DeleteFunc(lines, func(l string) bool { return strings.Contains(l, " date: ") }), "\n")
	}
	got := strip(readFile(t, filepath.Join(bundle, mtreeName)))
	if want := strip(fresh.String()); got != want {
		t.Errorf("mtree manifest differs from a fresh walk:\n--- got\n%s\n--- want\n%s", got, want)
	}
	if !strings.Contains(got, "sha256digest=") {
		t.Errorf("mtree manifest has no digests:\n%s", got)
	}
}

func TestUnpackCompressions(t *testing.T) {
	for _, alg := range []compress.Algorithm{compress.None, compress.Gzip, compress.Zstd} {
		t.Run(alg.Name(), func(t *testing.T) {
			big := strings.Repeat("0123456789abcdef", 100_000) // several prefetch chunks
			ti := buildImage(t, nil, testLayer{alg: alg, tar: lt.Tar(t, lt.File("big", big), lt.File("small", "s"))})
			if !strings.HasSuffix(ti.layers[0].MediaType, alg.MediaTypeSuffix()) {
				t.Fatalf("layer media type %q", ti.layers[0].MediaType)
			}
			bundle := filepath.Join(t.TempDir(), "bundle")
			if err := Unpack(t.Context(), ti.engine, ti.path, bundle, UnpackOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, filepath.Join(bundle, RootfsName, "big")); got != big {
				t.Errorf("big file has %d bytes, want %d", len(got), len(big))
			}
			checkMtreeFresh(t, bundle, MtreeName(ti.path.Descriptor().Digest))
		})
	}
}

func TestUnpackTrailingTarBytesHashed(t *testing.T) {
	// Bytes after the tar end are part of the diff_id.
	data := append(lt.Tar(t, lt.File("f", "f")), make([]byte, 4096)...)
	ti := buildImage(t, nil, testLayer{alg: compress.Gzip, tar: data})
	if err := Unpack(t.Context(), ti.engine, ti.path, filepath.Join(t.TempDir(), "b"), UnpackOptions{}); err != nil {
		t.Fatalf("padding after the tar end must be hashed: %v", err)
	}
}

func TestUnpackRefuses(t *testing.T) {
	ok := func(t *testing.T) testLayer { return testLayer{tar: lt.Tar(t, lt.File("f", "f"))} }
	tests := []struct {
		name   string
		build  func(t *testing.T) *testImage
		target error // nil: any error
		msg    string
	}{
		{"diff_id mismatch", func(t *testing.T) *testImage {
			return buildImage(t, nil, ok(t), testLayer{tar: lt.Tar(t, lt.File("g", "g")), diffID: digest.FromString("other")})
		}, ErrDiffIDMismatch, "diff_id mismatch"},
		{"corrupt blob", func(t *testing.T) *testImage {
			ti := buildImage(t, nil, ok(t), testLayer{tar: lt.Tar(t, lt.File("g", strings.Repeat("g", 1<<16)))})
			ti.corruptBlob(t, ti.layers[1].Digest)
			return ti
		}, cas.ErrDigestMismatch, ""},
		{"corrupt uncompressed blob", func(t *testing.T) *testImage {
			ti := buildImage(t, nil, testLayer{alg: compress.None, tar: lt.Tar(t, lt.File("g", "g"), lt.File("h", strings.Repeat("h", 1<<16)))})
			ti.corruptBlob(t, ti.layers[0].Digest)
			return ti
		}, cas.ErrDigestMismatch, ""},
		{"truncated tar", func(t *testing.T) *testImage {
			full := lt.Tar(t, lt.File("g", strings.Repeat("g", 10000)))
			return buildImage(t, nil, testLayer{tar: full[:2048]})
		}, nil, ""},
		{"rootfs type", func(t *testing.T) *testImage {
			return buildImage(t, func(img *ispec.Image) { img.RootFS.Type = "tarballs" }, ok(t))
		}, ErrInvalidImage, `rootfs type "tarballs"`},
		{"diff_id count", func(t *testing.T) *testImage {
			return buildImage(t, func(img *ispec.Image) { img.RootFS.DiffIDs = nil }, ok(t))
		}, ErrInvalidImage, "0 diff_ids for 1 layers"},
		{"not linux", func(t *testing.T) *testImage {
			return buildImage(t, func(img *ispec.Image) { img.OS = "windows" }, ok(t))
		}, ErrUnsupportedOS, ""},
		{"unknown user", func(t *testing.T) *testImage {
			return buildImage(t, func(img *ispec.Image) { img.Config.User = "nobody-here" }, ok(t))
		}, nil, "nobody-here"},
		{"hostile root entry", func(t *testing.T) *testImage {
			return buildImage(t, nil, testLayer{tar: lt.Tar(t, lt.File(".", "x"))})
		}, nil, "malicious"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ti := tc.build(t)
			parent := t.TempDir()
			bundle := filepath.Join(parent, "new", "bundle")
			err := Unpack(t.Context(), ti.engine, ti.path, bundle, UnpackOptions{})
			if err == nil {
				t.Fatal("Unpack succeeded")
			}
			if tc.target != nil && !errors.Is(err, tc.target) {
				t.Errorf("error %q is not %v", err, tc.target)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
			if left := listDir(t, parent); len(left) != 0 {
				t.Errorf("failed unpack left %q behind", left)
			}
		})
	}
}

func TestUnpackRefusesManifestMediaType(t *testing.T) {
	ti := buildImage(t, nil, testLayer{tar: lt.Tar(t, lt.File("f", "f"))})
	path := ti.path.Clone()
	path.Walk[len(path.Walk)-1].MediaType = ispec.MediaTypeImageIndex
	err := Unpack(t.Context(), ti.engine, path, filepath.Join(t.TempDir(), "b"), UnpackOptions{})
	if !errors.Is(err, ErrInvalidImage) {
		t.Fatalf("Unpack of an index path: %v, want ErrInvalidImage", err)
	}
}

func TestUnpackExistingBundle(t *testing.T) {
	ti := buildImage(t, nil, testLayer{tar: lt.Tar(t, lt.File("f", "f"))})
	for _, existing := range []string{ConfigName, RootfsName} {
		t.Run(existing, func(t *testing.T) {
			bundle := t.TempDir()
			if err := os.WriteFile(filepath.Join(bundle, "notes"), []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(bundle, existing), 0o755); err != nil {
				t.Fatal(err)
			}
			before := lt.Snapshot(t, bundle)
			err := Unpack(t.Context(), ti.engine, ti.path, bundle, UnpackOptions{})
			if !errors.Is(err, ErrBundleExists) || !strings.Contains(err.Error(), existing+" already exists") {
				t.Fatalf("Unpack: %v, want ErrBundleExists naming %s", err, existing)
			}
			// Only the forced 0700 bundle mode may differ.
			if err := os.Chmod(bundle, 0o755); err != nil {
				t.Fatal(err)
			}
			before = strings.Replace(before, ". drwx------", ". drwxr-xr-x", 1)
			if after := lt.Snapshot(t, bundle); after != before {
				t.Errorf("refused unpack changed the bundle:\n%s\n---\n%s", before, after)
			}
		})
	}
}

func TestUnpackFailureAllowsRetry(t *testing.T) {
	ctx := t.Context()
	good := buildImage(t, nil, testLayer{tar: lt.Tar(t, lt.File("f", "f"))})
	bundle := t.TempDir()
	if err := os.WriteFile(filepath.Join(bundle, "notes"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A stale manifest with the name unpack will use makes it fail after
	// rootfs and config.json are written; the stale file is not ours.
	stale := filepath.Join(bundle, MtreeName(good.path.Descriptor().Digest))
	if err := os.WriteFile(stale, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Unpack(ctx, good.engine, good.path, bundle, UnpackOptions{}); err == nil {
		t.Fatal("Unpack over a stale manifest succeeded")
	}
	want := []string{"notes", filepath.Base(stale)}
	slices.Sort(want)
	if got := listDir(t, bundle); !slices.Equal(got, want) {
		t.Fatalf("after failure bundle holds %q, want %q", got, want)
	}
	if err := os.Remove(stale); err != nil {
		t.Fatal(err)
	}
	bad := buildImage(t, func(img *ispec.Image) { img.Config.User = "missing" }, testLayer{tar: lt.Tar(t, lt.File("f", "f"))})
	if err := Unpack(ctx, bad.engine, bad.path, bundle, UnpackOptions{}); err == nil {
		t.Fatal("Unpack with an unknown user succeeded")
	}
	if got := listDir(t, bundle); !slices.Equal(got, []string{"notes"}) {
		t.Fatalf("after failure bundle holds %q, want [notes]", got)
	}
	if err := Unpack(ctx, good.engine, good.path, bundle, UnpackOptions{}); err != nil {
		t.Fatalf("retry: %v", err)
	}
}

func TestUnpackCancelled(t *testing.T) {
	ti := buildImage(t, nil, testLayer{tar: lt.Tar(t, lt.File("f", "f"))})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	parent := t.TempDir()
	err := Unpack(ctx, ti.engine, ti.path, filepath.Join(parent, "b"), UnpackOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Unpack: %v, want context.Canceled", err)
	}
	if left := listDir(t, parent); len(left) != 0 {
		t.Errorf("cancelled unpack left %q", left)
	}
}
