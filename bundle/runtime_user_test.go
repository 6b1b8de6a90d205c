package bundle

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestRuntimeConfigPasswdInsideRootfs checks that etc/passwd and etc/group
// are resolved inside the rootfs: symlinks leaving it are never followed to
// the host, while absolute symlinks are resolved relative to the rootfs.
func TestRuntimeConfigPasswdInsideRootfs(t *testing.T) {
	const evilPasswd = "evil:x:4242:4242:Evil:/evil:/bin/sh\nroot:x:0:0:root:/evilroot:/bin/sh\n"
	tests := []struct {
		name     string
		setup    func(t *testing.T, rootfs, outside string)
		user     string
		wantErr  string
		wantUID  uint32
		wantHome string // "" = no HOME in env
	}{
		{
			name: "absolute symlink to host file", user: "evil", wantErr: "unable to find user evil",
			setup: func(t *testing.T, rootfs, outside string) {
				symlink(t, filepath.Join(outside, "passwd"), filepath.Join(rootfs, "etc/passwd"))
			},
		},
		{
			name: "relative symlink escaping", user: "evil", wantErr: "unable to find user evil",
			setup: func(t *testing.T, rootfs, outside string) {
				rel, err := filepath.Rel(filepath.Join(rootfs, "etc"), filepath.Join(outside, "passwd"))
				if err != nil {
					t.Fatal(err)
				}
				symlink(t, rel, filepath.Join(rootfs, "etc/passwd"))
			},
		},
		{
			name: "escaping symlink, root user gets no host home", user: "", wantUID: 0,
			setup: func(t *testing.T, rootfs, outside string) {
				symlink(t, filepath.Join(outside, "passwd"), filepath.Join(rootfs, "etc/passwd"))
			},
		},
		{
			name: "absolute symlink inside rootfs", user: "app", wantUID: 1000, wantHome: "/home/app",
			setup: func(t *testing.T, rootfs, outside string) {
				writeFile(t, filepath.Join(rootfs, "lib/passwd"), demoPasswd)
				symlink(t, "/lib/passwd", filepath.Join(rootfs, "etc/passwd"))
			},
		},
		{
			name: "missing passwd, numeric user", user: "77", wantUID: 77,
			setup: func(t *testing.T, rootfs, outside string) {},
		},
		{
			// A layer replaced /etc by a file: no user database, as for a
			// missing /etc/passwd (umoci's behaviour).
			name: "etc is a file, numeric user", user: "42:42", wantUID: 42,
			setup: etcIsAFile,
		},
		{
			name: "etc is a file, empty user", user: "", wantUID: 0,
			setup: etcIsAFile,
		},
		{
			name: "etc is a file, named user", user: "app", wantErr: "no matching entries in passwd file",
			setup: etcIsAFile,
		},
		{
			name: "passwd is a symlink loop", user: "7", wantUID: 7,
			setup: func(t *testing.T, rootfs, outside string) {
				symlink(t, "/etc/group", filepath.Join(rootfs, "etc/passwd"))
				symlink(t, "passwd", filepath.Join(rootfs, "etc/group"))
			},
		},
		{
			name: "passwd is a directory", user: "app", wantErr: "not a regular file",
			setup: func(t *testing.T, rootfs, outside string) {
				if err := os.MkdirAll(filepath.Join(rootfs, "etc/passwd"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			rootfs, outside := filepath.Join(dir, "rootfs"), filepath.Join(dir, "outside")
			writeFile(t, filepath.Join(outside, "passwd"), evilPasswd)
			if err := os.MkdirAll(filepath.Join(rootfs, "etc"), 0o755); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, rootfs, outside)
			img := ispec.Image{Platform: ispec.Platform{OS: "linux"}}
			img.Config.User = tc.user
			spec, err := RuntimeConfig(t.Context(), img, rootfs, ConfigOptions{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if spec.Process.User.UID != tc.wantUID {
				t.Errorf("uid = %d, want %d", spec.Process.User.UID, tc.wantUID)
			}
			home := slices.IndexFunc(spec.Process.Env, func(s string) bool { return strings.HasPrefix(s, "HOME=") })
			switch {
			case tc.wantHome == "" && home >= 0:
				t.Errorf("unexpected %s", spec.Process.Env[home])
			case tc.wantHome != "" && (home < 0 || spec.Process.Env[home] != "HOME="+tc.wantHome):
				t.Errorf("env %v, want HOME=%s", spec.Process.Env, tc.wantHome)
			}
		})
	}
}

func etcIsAFile(t *testing.T, rootfs, _ string) {
	t.Helper()
	if err := os.Remove(filepath.Join(rootfs, "etc")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(rootfs, "etc"), "not a directory\n")
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestResolvConfFlagsReal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	writeFile(t, path, "nameserver 127.0.0.1\n")
	if _, err := resolvConfFlags(path); err != nil {
		t.Fatalf("statfs existing file: %v", err)
	}
	if _, err := resolvConfFlags(filepath.Join(t.TempDir(), "missing")); !os.IsNotExist(err) {
		t.Fatalf("statfs missing file: %v, want not-exist", err)
	}
}
