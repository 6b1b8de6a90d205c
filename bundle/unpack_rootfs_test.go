package bundle

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/opencontainers/go-digest"
	rspec "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/lade-oci/lade/layer"
	lt "github.com/lade-oci/lade/layer/layertest"
)

func TestUnpackRootfs(t *testing.T) {
	good := func(t *testing.T) *testImage {
		return buildImage(t, nil, testLayer{tar: lt.Tar(t, lt.Dir("etc"), lt.File("etc/f", "f\n"))})
	}
	bad := func(t *testing.T) *testImage {
		return buildImage(t, nil, testLayer{tar: lt.Tar(t, lt.File("f", "f\n")), diffID: digest.FromString("x")})
	}
	tests := []struct {
		name    string
		image   func(*testing.T) *testImage
		setup   func(t *testing.T, rootfs string)
		wantErr error
		after   []string // names in rootfs afterwards; nil means rootfs must not exist
	}{
		{name: "missing", image: good, after: []string{"etc"}},
		{name: "empty dir", image: good, setup: mkdir, after: []string{"etc"}},
		{name: "non-empty dir", image: good, setup: func(t *testing.T, rootfs string) {
			mkdir(t, rootfs)
			if err := os.WriteFile(filepath.Join(rootfs, "mine"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}, wantErr: ErrRootfsNotEmpty, after: []string{"mine"}},
		{name: "file", image: good, setup: func(t *testing.T, rootfs string) {
			if err := os.WriteFile(rootfs, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}, wantErr: syscall.ENOTDIR},
		{name: "failure removes created", image: bad, wantErr: ErrDiffIDMismatch},
		{name: "failure empties existing", image: bad, setup: mkdir, wantErr: ErrDiffIDMismatch, after: []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ti := tc.image(t)
			rootfs := filepath.Join(t.TempDir(), "sub", "rootfs")
			if tc.setup != nil {
				mkdir(t, filepath.Dir(rootfs))
				tc.setup(t, rootfs)
			}
			err := UnpackRootfs(t.Context(), ti.engine, ti.path, rootfs, UnpackOptions{})
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("UnpackRootfs: %v, want %v", err, tc.wantErr)
			}
			fi, statErr := os.Lstat(rootfs)
			switch {
			case tc.after == nil && tc.setup == nil:
				if !errors.Is(statErr, os.ErrNotExist) {
					t.Errorf("rootfs left behind: %v", statErr)
				}
			case tc.after != nil:
				if got := listDir(t, rootfs); !slices.Equal(got, tc.after) && !(len(got) == 0 && len(tc.after) == 0) {
					t.Errorf("rootfs holds %q, want %q", got, tc.after)
				}
			}
			if err == nil {
				if fi.Mode().Perm() != 0o755 || fi.ModTime().Unix() != 0 {
					t.Errorf("rootfs mode %v mtime %v, want 0755 at the epoch", fi.Mode(), fi.ModTime())
				}
				for _, name := range []string{"config.json", MetaName} {
					if _, err := os.Lstat(filepath.Join(filepath.Dir(rootfs), name)); err == nil {
						t.Errorf("raw unpack wrote %s", name)
					}
				}
			}
		})
	}
}

func mkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestUnpackIDMaps(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mapping owners to other host ids needs root")
	}
	ti := buildImage(t, nil, testLayer{tar: lt.Tar(t,
		lt.Entry{Type: 0, Name: "f", Content: "f", UID: 5, GID: 7},
	)})
	bundle := filepath.Join(t.TempDir(), "b")
	mo := layer.MapOptions{
		UIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}},
		GIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 200000, Size: 65536}},
	}
	if err := Unpack(t.Context(), ti.engine, ti.path, bundle, UnpackOptions{MapOptions: mo}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][2]uint32{"rootfs": {100000, 200000}, "rootfs/f": {100005, 200007}} {
		fi, err := os.Lstat(filepath.Join(bundle, name))
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != want[0] || st.Gid != want[1] {
			t.Errorf("%s owned by %d:%d, want %d:%d", name, st.Uid, st.Gid, want[0], want[1])
		}
	}
	meta, err := ReadMeta(t.Context(), bundle)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(meta.MapOptions.UIDMappings, mo.UIDMappings) || !slices.Equal(meta.MapOptions.GIDMappings, mo.GIDMappings) {
		t.Errorf("umoci.json map_options = %+v, want %+v", meta.MapOptions, mo)
	}
}

func TestUnpackRootless(t *testing.T) {
	// Rootless mode as root: owners go to the user.rootlesscontainers
	// xattr instead of the inode, and the bundle records rootless.
	ti := buildImage(t, nil, testLayer{tar: lt.Tar(t,
		lt.Entry{Type: 0, Name: "f", Content: "f", UID: 5, GID: 7},
	)})
	bundle := filepath.Join(t.TempDir(), "b")
	uid, gid := uint32(os.Geteuid()), uint32(os.Getegid())
	mo := layer.MapOptions{
		Rootless:    true,
		UIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: uid, Size: 1}},
		GIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: gid, Size: 1}},
	}
	if err := Unpack(t.Context(), ti.engine, ti.path, bundle, UnpackOptions{MapOptions: mo}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(bundle, "rootfs/f"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != uid || st.Gid != gid {
		t.Errorf("rootless file owned by %d:%d, want %d:%d", st.Uid, st.Gid, uid, gid)
	}
	buf := make([]byte, 64)
	if n, err := syscall.Getxattr(filepath.Join(bundle, "rootfs/f"), "user.rootlesscontainers", buf); err != nil || n == 0 {
		t.Errorf("no user.rootlesscontainers xattr: %v", err)
	}
	meta, err := ReadMeta(t.Context(), bundle)
	if err != nil || !meta.MapOptions.Rootless {
		t.Errorf("umoci.json map_options = %+v (%v), want rootless", meta.MapOptions, err)
	}
	checkMtreeFresh(t, bundle, MtreeName(ti.path.Descriptor().Digest))
}
