package bundle

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rspec "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/oci/compress"
)

func TestExportContent(t *testing.T) {
	engine, path := flatImage(t)
	euid, egid := uint32(os.Geteuid()), uint32(os.Getegid())
	tests := []struct {
		name string
		mo   layer.MapOptions
	}{
		{name: "root"},
		{name: "mapped", mo: layer.MapOptions{
			UIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}},
			GIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}},
		}},
		{name: "rootless", mo: layer.MapOptions{
			Rootless:    true,
			UIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: euid, Size: 1}},
			GIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: egid, Size: 1}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if os.Geteuid() != 0 && !tc.mo.Rootless {
				t.Skip("needs root to chown")
			}
			tmp := t.TempDir()
			var out bytes.Buffer
			if err := Export(t.Context(), engine, path, &out, ExportOptions{MapOptions: tc.mo, TempDir: tmp}); err != nil {
				t.Fatalf("Export: %v", err)
			}
			assertEmptyDir(t, tmp)
			names, entries := readTar(t, out.Bytes())
			checkFlatEntries(t, names, entries)
		})
	}
}

// checkFlatEntries checks the export of flatImage.
func checkFlatEntries(t *testing.T, names []string, entries map[string]tarEntry) {
	t.Helper()
	want := []string{".", "bin/", "bin/busybox", "bin/sh", "bin/su", "bin/sudo", "etc/", "etc/motd", "etc/motd2",
		"etc/passwd", "etc/shadow", "opt/", "opt/data", "usr/", "var/", "var/cache/", "var/cache/new"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("entries:\n got %q\nwant %q", names, want)
	}
	for _, n := range names {
		if strings.Contains(n, ".wh.") {
			t.Errorf("whiteout %q in export", n)
		}
	}
	checks := []struct {
		name       string
		typ        byte
		mode       int64
		uid, gid   int
		linkname   string
		content    string
		modTimeHrs int
	}{
		{".", tar.TypeDir, 0o755, 0, 0, "", "", -1},
		{"bin/su", tar.TypeReg, 0o4755, 0, 0, "", "su binary", 0},
		{"bin/sudo", tar.TypeLink, 0o4755, 0, 0, "bin/su", "", 0},
		{"bin/sh", tar.TypeSymlink, 0o777, 0, 0, "busybox", "", 0},
		{"etc/shadow", tar.TypeReg, 0o640, 0, 42, "", "root:*:\n", 0},
		{"etc/motd", tar.TypeReg, 0o644, 0, 0, "", "hello\n", 1},
		{"etc/motd2", tar.TypeLink, 0o644, 0, 0, "etc/motd", "", 1},
		{"opt/", tar.TypeDir, 0o750, 1000, 1000, "", "", 0},
		{"opt/data", tar.TypeReg, 0o600, 1000, 1001, "", "data", 0},
		{"var/cache/", tar.TypeDir, 0o1777, 0, 0, "", "", 0},
	}
	for _, c := range checks {
		e, ok := entries[c.name]
		if !ok {
			continue // reported above
		}
		h := e.hdr
		if h.Typeflag != c.typ || h.Mode != c.mode || h.Uid != c.uid || h.Gid != c.gid || h.Linkname != c.linkname || e.content != c.content {
			t.Errorf("%s: type %c mode %o owner %d:%d link %q content %q; want %c %o %d:%d %q %q",
				c.name, h.Typeflag, h.Mode, h.Uid, h.Gid, h.Linkname, e.content, c.typ, c.mode, c.uid, c.gid, c.linkname, c.content)
		}
		if h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: user/group names %q/%q, want blank", c.name, h.Uname, h.Gname)
		}
		wantTime := testimage.Epoch.Add(time.Duration(c.modTimeHrs) * time.Hour)
		if c.modTimeHrs < 0 {
			wantTime = time.Unix(0, 0) // the root has no entry: unpack sets the epoch
		}
		if !h.ModTime.Equal(wantTime) {
			t.Errorf("%s: mtime %v, want %v", c.name, h.ModTime, wantTime)
		}
		if _, ok := h.PAXRecords["user.rootlesscontainers"]; ok {
			t.Errorf("%s: rootless owner xattr leaked into the export", c.name)
		}
	}
}

func TestExportDeterministic(t *testing.T) {
	engine, path := flatImage(t)
	sde := testimage.Epoch.Add(30 * time.Minute)
	for _, tc := range []struct {
		name string
		sde  *time.Time
	}{{"plain", nil}, {"source date epoch", &sde}} {
		t.Run(tc.name, func(t *testing.T) {
			export := func() []byte {
				var out bytes.Buffer
				opts := ExportOptions{SourceDateEpoch: tc.sde, MapOptions: layer.MapOptions{Rootless: os.Geteuid() != 0}}
				if err := Export(t.Context(), engine, path, &out, opts); err != nil {
					t.Fatalf("Export: %v", err)
				}
				return out.Bytes()
			}
			first := export()
			time.Sleep(1100 * time.Millisecond) // a new second: unpack times must not leak in
			if second := export(); !bytes.Equal(first, second) {
				t.Fatalf("two exports differ (%d and %d bytes)", len(first), len(second))
			}
			if tc.sde == nil {
				return
			}
			_, entries := readTar(t, first)
			motd := entries["etc/motd"].hdr
			if !motd.ModTime.Equal(sde) {
				t.Errorf("etc/motd mtime %v, want clamped to %v", motd.ModTime, sde)
			}
			if passwd := entries["etc/passwd"].hdr; !passwd.ModTime.Equal(testimage.Epoch) {
				t.Errorf("etc/passwd mtime %v, want %v (older times are kept)", passwd.ModTime, testimage.Epoch)
			}
		})
	}
}

func TestExportCompressed(t *testing.T) {
	engine, path := flatImage(t)
	mo := layer.MapOptions{Rootless: os.Geteuid() != 0}
	var plain bytes.Buffer
	if err := Export(t.Context(), engine, path, &plain, ExportOptions{MapOptions: mo}); err != nil {
		t.Fatalf("Export: %v", err)
	}
	for _, alg := range []compress.Algorithm{compress.Gzip, compress.Zstd} {
		t.Run(alg.Name(), func(t *testing.T) {
			var out bytes.Buffer
			if err := Export(t.Context(), engine, path, &out, ExportOptions{MapOptions: mo, Compression: alg}); err != nil {
				t.Fatalf("Export: %v", err)
			}
			got, err := compress.Detect(bufioReader(out.Bytes()))
			if err != nil || got.Name() != alg.Name() {
				t.Fatalf("output detected as %v (%v), want %s", got, err, alg.Name())
			}
			rc, err := alg.Decompress(bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			raw, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw, plain.Bytes()) {
				t.Errorf("decompressed %s export differs from the uncompressed one", alg.Name())
			}
		})
	}
}

func TestExportFailureCleansUp(t *testing.T) {
	engine, path := flatImage(t)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		w       io.Writer
		wantErr error
	}{
		{"cancelled", cancelled, io.Discard, context.Canceled},
		{"write error", t.Context(), &failWriter{limit: 1024}, errWriteFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			opts := ExportOptions{TempDir: tmp, MapOptions: layer.MapOptions{Rootless: os.Geteuid() != 0}}
			err := Export(tc.ctx, engine, path, tc.w, opts)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Export: %v, want %v", err, tc.wantErr)
			}
			assertEmptyDir(t, tmp)
		})
	}
}

func TestExportFile(t *testing.T) {
	engine, path := flatImage(t)
	mo := layer.MapOptions{Rootless: os.Geteuid() != 0}
	t.Run("written", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "rootfs.tar")
		if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := ExportFile(t.Context(), engine, path, out, ExportOptions{MapOptions: mo}); err != nil {
			t.Fatalf("ExportFile: %v", err)
		}
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("mode %v, want 0644", fi.Mode().Perm())
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		names, entries := readTar(t, data)
		checkFlatEntries(t, names, entries)
		if err := os.Remove(out); err != nil {
			t.Fatal(err)
		}
		assertEmptyDir(t, dir) // no temp tree or temp file left
	})
	t.Run("failure keeps old output", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "rootfs.tar")
		if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := ExportFile(ctx, engine, path, out, ExportOptions{MapOptions: mo}); !errors.Is(err, context.Canceled) {
			t.Fatalf("ExportFile: %v, want %v", err, context.Canceled)
		}
		if data, err := os.ReadFile(out); err != nil || string(data) != "old" {
			t.Errorf("output = %q (%v), want the old content", data, err)
		}
		if err := os.Remove(out); err != nil {
			t.Fatal(err)
		}
		assertEmptyDir(t, dir)
	})
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		err := ExportFile(t.Context(), engine, path, dir, ExportOptions{MapOptions: mo})
		if err == nil || !strings.Contains(err.Error(), "is a directory") {
			t.Fatalf("ExportFile onto a directory: %v, want an error", err)
		}
		assertEmptyDir(t, dir)
	})
}
