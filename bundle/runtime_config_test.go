package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/lade-oci/lade/layer"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// The demo rootfs of /work/shared/spec/examples/README.md.
const (
	demoPasswd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n"
	demoGroup  = "root:x:0:\napp:x:1000:app\nwheel:x:10:app\n"
)

// demoRootfs builds DIR/rootfs with the demo etc/passwd and etc/group.
func demoRootfs(t *testing.T) string {
	t.Helper()
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	writeFile(t, filepath.Join(rootfs, "etc/passwd"), demoPasswd)
	writeFile(t, filepath.Join(rootfs, "etc/group"), demoGroup)
	return rootfs
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// demoImage is the image config of the examples' "demo" tag.
func demoImage(t *testing.T) ispec.Image {
	t.Helper()
	data, err := os.ReadFile("testdata/demo.image.json")
	if err != nil {
		t.Fatal(err)
	}
	var img ispec.Image
	if err := json.Unmarshal(data, &img); err != nil {
		t.Fatal(err)
	}
	return img
}

// fakeResolvConf makes the rootless conversion see a host resolv.conf with
// the given statfs flags (or none when missing).
func fakeResolvConf(t *testing.T, flags int64, missing bool) {
	t.Helper()
	old := resolvConfFlags
	t.Cleanup(func() { resolvConfFlags = old })
	resolvConfFlags = func(string) (int64, error) {
		if missing {
			return 0, os.ErrNotExist
		}
		return flags, nil
	}
}

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// renderConfig converts and writes the config the way unpack does,
// returning the bytes on disk.
func renderConfig(t *testing.T, img ispec.Image, rootfs string, opts ConfigOptions) []byte {
	t.Helper()
	spec, err := RuntimeConfig(t.Context(), img, rootfs, opts)
	if err != nil {
		t.Fatalf("RuntimeConfig: %v", err)
	}
	path := filepath.Join(t.TempDir(), "config.json")
	if err := WriteRuntimeConfig(t.Context(), path, spec); err != nil {
		t.Fatalf("WriteRuntimeConfig: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRuntimeConfigMatchesUmociExample(t *testing.T) {
	const example = "/work/shared/spec/examples/demo.bundle.config.json"
	want, err := os.ReadFile(example)
	if err != nil {
		t.Skipf("umoci example not available: %v", err)
	}
	got := renderConfig(t, demoImage(t), demoRootfs(t), ConfigOptions{})
	if !bytes.Equal(got, want) {
		t.Errorf("config.json differs from umoci's:\n--- got\n%s\n--- want\n%s", got, want)
	}
}

func TestRuntimeConfigGolden(t *testing.T) {
	idMaps := layer.MapOptions{
		UIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}},
		GIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}},
	}
	rootless := layer.MapOptions{
		UIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}},
		GIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}},
		Rootless:    true,
	}
	tests := []struct {
		name      string
		golden    string
		edit      func(img *ispec.Image)
		noRootfs  bool
		opts      ConfigOptions
		resolv    int64
		noResolv  bool
		wantCheck func(t *testing.T, s *rspec.Spec)
	}{
		{name: "demo", golden: "demo.config.json"},
		{
			name: "rootless", golden: "runtime_rootless.config.json",
			opts: ConfigOptions{MapOptions: rootless}, resolv: unix.ST_NOSUID | unix.ST_NODEV | unix.ST_RELATIME | unix.ST_RDONLY,
			wantCheck: func(t *testing.T, s *rspec.Spec) {
				last := s.Mounts[len(s.Mounts)-1]
				if last.Destination != "/etc/resolv.conf" || strings.Join(last.Options, ",") != "rbind,ro,nodev,nosuid,relatime" {
					t.Errorf("resolv.conf mount = %+v", last)
				}
			},
		},
		{
			// umoci §7.7 keeps sysfs, cgroup and gid=5 here; lade filters.
			name: "rootless without host resolv.conf", golden: "runtime_rootless_noresolv.config.json",
			opts: ConfigOptions{MapOptions: rootless}, noResolv: true,
			wantCheck: func(t *testing.T, s *rspec.Spec) {
				for _, m := range s.Mounts {
					if m.Type == "sysfs" || m.Type == "cgroup" || m.Destination == "/etc/resolv.conf" {
						t.Errorf("unexpected mount %+v", m)
					}
					for _, o := range m.Options {
						if strings.HasPrefix(o, "gid=") || strings.HasPrefix(o, "uid=") {
							t.Errorf("mount %s keeps option %s", m.Destination, o)
						}
					}
				}
			},
		},
		{name: "id maps", golden: "runtime_idmaps.config.json", opts: ConfigOptions{MapOptions: idMaps}},
		{
			name: "no rootfs", golden: "runtime_norootfs.config.json", noRootfs: true,
			wantCheck: func(t *testing.T, s *rspec.Spec) {
				if s.Root.Path != "." || s.Process.User.UID != 0 || s.Process.User.GID != 0 {
					t.Errorf("root %q user %+v", s.Root.Path, s.Process.User)
				}
			},
		},
		{
			name: "no rootfs numeric user", golden: "runtime_norootfs_numeric.config.json", noRootfs: true,
			edit: func(img *ispec.Image) { img.Config.User = "1000:10" },
		},
		{
			name: "home already set", golden: "runtime_home_set.config.json",
			edit: func(img *ispec.Image) { img.Config.Env = []string{"HOME=/custom", "PATH=/bin"} },
		},
		{
			name: "labels override annotations", golden: "runtime_labels.config.json",
			edit: func(img *ispec.Image) {
				img.Config.Labels = map[string]string{
					"org.opencontainers.image.os":      "label-os",
					"org.opencontainers.image.author":  "Label Author",
					"org.opencontainers.image.created": "",
				}
			},
		},
		{
			name: "missing created", golden: "runtime_nocreated.config.json",
			edit: func(img *ispec.Image) { img.Created = nil; img.Variant = ""; img.Author = "" },
		},
		{
			name: "numeric user", golden: "runtime_numeric_user.config.json",
			edit: func(img *ispec.Image) { img.Config.User = "1234" },
		},
		{
			name: "user and group", golden: "runtime_user_group.config.json",
			edit: func(img *ispec.Image) { img.Config.User = "app:wheel" },
		},
		{
			name: "empty user and minimal image", golden: "runtime_minimal.config.json",
			edit: func(img *ispec.Image) {
				created := time.Date(2024, 1, 2, 3, 4, 5, 600, time.UTC)
				*img = ispec.Image{Created: &created, Platform: ispec.Platform{OS: "linux", Architecture: "arm64"}}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fakeResolvConf(t, tc.resolv, tc.noResolv)
			img := demoImage(t)
			if tc.edit != nil {
				tc.edit(&img)
			}
			rootfs := ""
			if !tc.noRootfs {
				rootfs = demoRootfs(t)
			}
			got := renderConfig(t, img, rootfs, tc.opts)
			checkGolden(t, tc.golden, got)
			if tc.wantCheck != nil {
				var s rspec.Spec
				if err := json.Unmarshal(got, &s); err != nil {
					t.Fatal(err)
				}
				tc.wantCheck(t, &s)
			}
		})
	}
}

func TestRuntimeConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(img *ispec.Image)
		want    string
		wantErr error
	}{
		{name: "unknown user", edit: func(img *ispec.Image) { img.Config.User = "nobody" }, want: "unable to find user nobody"},
		{name: "unknown group", edit: func(img *ispec.Image) { img.Config.User = "app:nogroup" }, want: "nogroup"},
		{name: "non-linux os", edit: func(img *ispec.Image) { img.OS = "windows" }, wantErr: ErrUnsupportedOS},
		{name: "env without =", edit: func(img *ispec.Image) { img.Config.Env = []string{"FOO"} }, want: `parse env "FOO"`},
		{name: "env with empty name", edit: func(img *ispec.Image) { img.Config.Env = []string{"=bar"} }, want: `parse env "=bar"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := demoImage(t)
			tc.edit(&img)
			spec, err := RuntimeConfig(t.Context(), img, demoRootfs(t), ConfigOptions{})
			if err == nil {
				t.Fatalf("no error, spec %+v", spec.Process)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v is not %v", err, tc.wantErr)
			}
			if tc.want != "" && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}
