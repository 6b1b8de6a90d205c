package layer

import (
	"archive/tar"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/rootlesscontainers"
	"github.com/lade-oci/lade/internal/system"
	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestGenerateHeaderTypes(t *testing.T) {
	root := t.TempDir()
	generateWrite(t, root, "bin/su", "setuid", 0o4755)
	generateWrite(t, root, "a", "linked", 0o640)
	for _, n := range []string{"b", "c"} {
		if err := os.Link(filepath.Join(root, "a"), filepath.Join(root, n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Chmod(filepath.Join(root, "tmp"), 0o1777); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../bin/su", filepath.Join(root, "tmp/l")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(root, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	devices := os.Geteuid() == 0
	if devices {
		if err := system.Mknod(filepath.Join(root, "null"), unix.S_IFCHR|0o666, 1, 3); err != nil {
			t.Fatal(err)
		}
		if err := system.Mknod(filepath.Join(root, "sda"), unix.S_IFBLK|0o660, 8, 0); err != nil {
			t.Fatal(err)
		}
	}
	entries := generateReadTar(t, generateLayerBytes(t, root, generateAllDeltas(t, root), nil))

	for _, tc := range []struct {
		name     string
		typ      byte
		mode     int64
		size     int64
		linkname string
		body     string
	}{
		{name: "bin/su", typ: tar.TypeReg, mode: 0o4755, size: 6, body: "setuid"},
		{name: "a", typ: tar.TypeReg, mode: 0o640, size: 6, body: "linked"},
		{name: "b", typ: tar.TypeLink, mode: 0o640, linkname: "a"},
		{name: "c", typ: tar.TypeLink, mode: 0o640, linkname: "a"},
		{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
		{name: "tmp/l", typ: tar.TypeSymlink, mode: 0o777, linkname: "../bin/su"},
		{name: "fifo", typ: tar.TypeFifo, mode: 0o600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := generateFind(t, entries, tc.name)
			h := e.hdr
			if h.Typeflag != tc.typ || h.Mode != tc.mode || h.Size != tc.size || h.Linkname != tc.linkname || e.body != tc.body {
				t.Errorf("got type %q mode %o size %d link %q body %q; want %q %o %d %q %q",
					h.Typeflag, h.Mode, h.Size, h.Linkname, e.body, tc.typ, tc.mode, tc.size, tc.linkname, tc.body)
			}
			if h.Uname != "" || h.Gname != "" {
				t.Errorf("uname/gname %q/%q, want blank", h.Uname, h.Gname)
			}
		})
	}
	if devices {
		for _, tc := range []struct {
			name         string
			typ          byte
			major, minor int64
		}{{"null", tar.TypeChar, 1, 3}, {"sda", tar.TypeBlock, 8, 0}} {
			h := generateFind(t, entries, tc.name).hdr
			if h.Typeflag != tc.typ || h.Devmajor != tc.major || h.Devminor != tc.minor {
				t.Errorf("%s: type %q dev %d:%d, want %q %d:%d", tc.name, h.Typeflag, h.Devmajor, h.Devminor, tc.typ, tc.major, tc.minor)
			}
		}
	}
}

func TestGenerateHeaderXattrs(t *testing.T) {
	root := t.TempDir()
	p := generateWrite(t, root, "f", "x", 0o644)
	generateSetXattr(t, p, "user.foo", "bar")
	generateSetXattr(t, p, "user.empty", "")
	generateSetXattr(t, p, rootlesscontainers.Xattr, string(rootlesscontainers.Encode(rootlesscontainers.Resource{UID: 5})))
	h := generateFind(t, generateReadTar(t, generateLayerBytes(t, root, generateAllDeltas(t, root), nil)), "f").hdr

	want := map[string]string{"SCHILY.xattr.user.foo": "bar"}
	for k, v := range h.PAXRecords {
		if want[k] != v {
			t.Errorf("unexpected PAX record %q=%q", k, v)
		}
	}
	for k, v := range want {
		if h.PAXRecords[k] != v {
			t.Errorf("PAX record %q=%q, want %q", k, h.PAXRecords[k], v)
		}
	}
}

func TestGenerateHeaderOwners(t *testing.T) {
	generateRequireRoot(t)
	shifted := []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	for _, tc := range []struct {
		name       string
		uid, gid   int
		rootless   *rootlesscontainers.Resource
		opts       RepackOptions
		wantUID    int
		wantGID    int
		wantErrMsg bool
	}{
		{name: "identity", uid: 1000, gid: 1001, wantUID: 1000, wantGID: 1001},
		{name: "mapped", uid: 100033, gid: 100044, opts: RepackOptions{MapOptions: MapOptions{UIDMappings: shifted, GIDMappings: shifted}}, wantUID: 33, wantGID: 44},
		{name: "unmapped", uid: 5, gid: 100000, opts: RepackOptions{MapOptions: MapOptions{UIDMappings: shifted, GIDMappings: shifted}}, wantErrMsg: true},
		{name: "rootless plain", uid: 1000, gid: 1000, opts: RepackOptions{MapOptions: MapOptions{Rootless: true}}},
		{name: "rootless xattr", uid: 1000, gid: 1000, rootless: &rootlesscontainers.Resource{UID: 33, GID: 44}, opts: RepackOptions{MapOptions: MapOptions{Rootless: true}}, wantUID: 33, wantGID: 44},
		{name: "rootless noop uid", uid: 1000, gid: 1000, rootless: &rootlesscontainers.Resource{UID: rootlesscontainers.NoopID, GID: 7}, opts: RepackOptions{MapOptions: MapOptions{Rootless: true}}, wantGID: 7},
		{name: "rootless maps ignored", uid: 1000, gid: 1000, opts: RepackOptions{MapOptions: MapOptions{Rootless: true, UIDMappings: shifted}}},
		{name: "xattr dropped when not rootless", uid: 1000, gid: 1000, rootless: &rootlesscontainers.Resource{UID: 33}, wantUID: 1000, wantGID: 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			p := generateWrite(t, root, "f", "x", 0o644)
			if err := os.Lchown(p, tc.uid, tc.gid); err != nil {
				t.Fatal(err)
			}
			if tc.rootless != nil {
				generateSetXattr(t, p, rootlesscontainers.Xattr, string(rootlesscontainers.Encode(*tc.rootless)))
			}
			deltas := generateAllDeltas(t, root)
			if tc.wantErrMsg {
				if err := GenerateLayer(t.Context(), new(generateDiscard), root, deltas, &tc.opts); err == nil {
					t.Fatal("unmapped owner: no error")
				}
				return
			}
			h := generateFind(t, generateReadTar(t, generateLayerBytes(t, root, deltas, &tc.opts)), "f").hdr
			if h.Uid != tc.wantUID || h.Gid != tc.wantGID {
				t.Errorf("owner %d:%d, want %d:%d", h.Uid, h.Gid, tc.wantUID, tc.wantGID)
			}
			if _, ok := h.PAXRecords["SCHILY.xattr."+rootlesscontainers.Xattr]; ok {
				t.Errorf("%s was packed", rootlesscontainers.Xattr)
			}
		})
	}
}

type generateDiscard struct{}

func (*generateDiscard) Write(p []byte) (int, error) { return len(p), nil }

func TestGenerateHeaderTimes(t *testing.T) {
	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	older := time.Date(2001, 2, 3, 4, 5, 6, 700_000_000, time.UTC)
	newer := time.Date(2030, 1, 1, 0, 0, 0, 900_000_000, time.UTC)
	for _, tc := range []struct {
		name             string
		sde              *time.Time
		wantOld, wantNew time.Time
	}{
		{"no clamp", nil, older.Truncate(time.Second), newer.Truncate(time.Second)},
		{"clamp", &epoch, older.Truncate(time.Second), epoch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, mtime := range map[string]time.Time{"old": older, "new": newer} {
				p := generateWrite(t, root, name, name, 0o644)
				if err := system.Lutimes(p, mtime, mtime); err != nil {
					t.Fatal(err)
				}
			}
			if err := system.Lutimes(root, newer, newer); err != nil {
				t.Fatal(err)
			}
			entries := generateReadTar(t, generateLayerBytes(t, root, generateAllDeltas(t, root), &RepackOptions{SourceDateEpoch: tc.sde}))
			if got := generateFind(t, entries, "old").hdr.ModTime; !got.Equal(tc.wantOld) {
				t.Errorf("old mtime %v, want %v", got, tc.wantOld)
			}
			if got := generateFind(t, entries, "new").hdr.ModTime; !got.Equal(tc.wantNew) {
				t.Errorf("new mtime %v, want %v", got, tc.wantNew)
			}
			if got := generateFind(t, entries, ".").hdr.ModTime; !got.Equal(tc.wantNew) {
				t.Errorf("root mtime %v, want %v", got, tc.wantNew)
			}
		})
	}
}
