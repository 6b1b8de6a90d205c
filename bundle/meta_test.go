package bundle

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	rspec "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/lade-oci/lade/layer"
)

const demoMeta047 = `{"umoci_version":"2","from_descriptor_path":{"descriptor_walk":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:11c070471c76abcf2b817d33c601646c9ab85157582e3f76c82f7e817b2b5543","size":708,"annotations":{"org.opencontainers.image.ref.name":"demo"}}]},"map_options":{"uid_mappings":[{"containerID":0,"hostID":1000,"size":1}],"gid_mappings":[{"containerID":0,"hostID":1000,"size":1}],"rootless":true},"whiteout_mode":0}`

func TestMetaRoundTripMatchesUmoci(t *testing.T) {
	want, err := os.ReadFile("testdata/demo.umoci.json")
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, MetaName), want, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := ReadMeta(t.Context(), src)
	if err != nil {
		t.Fatalf("ReadMeta: %v", err)
	}
	if len(m.From.Walk) != 1 || m.From.Walk[0].Annotations[ispec.AnnotationRefName] != "demo" {
		t.Errorf("descriptor path = %+v", m.From)
	}
	dst := t.TempDir()
	if err := WriteMeta(t.Context(), dst, m); err != nil {
		t.Fatalf("WriteMeta: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dst, MetaName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("umoci.json differs:\n got %s\nwant %s", got, want)
	}
	fi, err := os.Stat(filepath.Join(dst, MetaName))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, %v", fi.Mode(), err)
	}
}

func TestReadMeta(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantErr string
		check   func(t *testing.T, m Meta)
	}{
		{
			name: "umoci 0.4.7 with whiteout_mode 0", data: demoMeta047,
			check: func(t *testing.T, m Meta) {
				want := layer.MapOptions{
					UIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}},
					GIDMappings: []rspec.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}},
					Rootless:    true,
				}
				if m.MapOptions.Rootless != want.Rootless || m.MapOptions.UIDMappings[0] != want.UIDMappings[0] ||
					m.MapOptions.GIDMappings[0] != want.GIDMappings[0] {
					t.Errorf("map options = %+v", m.MapOptions)
				}
			},
		},
		{name: "non-zero whiteout_mode", data: strings.Replace(demoMeta047, `"whiteout_mode":0`, `"whiteout_mode":1`, 1), wantErr: "whiteout_mode 1"},
		{name: "unknown version", data: strings.Replace(demoMeta047, `"umoci_version":"2"`, `"umoci_version":"3"`, 1), wantErr: `umoci_version "3"`},
		{name: "missing version", data: `{"from_descriptor_path":{"descriptor_walk":[{}]}}`, wantErr: "umoci_version"},
		{name: "empty descriptor path", data: `{"umoci_version":"2","from_descriptor_path":{"descriptor_walk":[]}}`, wantErr: "empty from_descriptor_path"},
		{name: "not json", data: `umoci`, wantErr: "parse bundle metadata"},
		{name: "wrong type", data: `{"umoci_version":2}`, wantErr: "parse bundle metadata"},
		{name: "traversal digest", data: strings.Replace(demoMeta047, `sha256:11c07`, `sha256:../11c07`, 1), wantErr: "descriptor 0 of from_descriptor_path: digest"},
		{name: "missing digest", data: `{"umoci_version":"2","from_descriptor_path":{"descriptor_walk":[{}]}}`, wantErr: "digest"},
		{name: "negative size", data: strings.Replace(demoMeta047, `"size":708`, `"size":-1`, 1), wantErr: "negative size -1"},
		{name: "zero-size mapping", data: strings.Replace(demoMeta047, `"hostID":1000,"size":1}],"rootless"`, `"hostID":1000,"size":0}],"rootless"`, 1), wantErr: "gid_mappings: mapping 0 (0:1000:0): size must be at least 1"},
		{name: "overflowing mapping", data: strings.Replace(demoMeta047, `"hostID":1000,"size":1}],"gid`, `"hostID":4294967295,"size":2}],"gid`, 1), wantErr: "uid_mappings: mapping 0 (0:4294967295:2): range overflows"},
		{name: "overlapping mappings", data: strings.Replace(demoMeta047, `"uid_mappings":[{"containerID":0,"hostID":1000,"size":1}]`, `"uid_mappings":[{"containerID":0,"hostID":1000,"size":1},{"containerID":0,"hostID":2000,"size":5}]`, 1), wantErr: "uid_mappings: mapping 1 (0:2000:5) overlaps mapping 0 (0:1000:1) in container ids"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, MetaName), []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := ReadMeta(t.Context(), dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, m)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		if _, err := ReadMeta(t.Context(), t.TempDir()); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("error = %v, want not-exist", err)
		}
	})
}

// TestAtomicWriteFailureKeepsOld checks a failed write leaves neither a
// partial file nor temp files, and a successful one replaces the content.
func TestAtomicWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "config.json")
	if err := os.MkdirAll(filepath.Join(target, "busy"), 0o755); err != nil {
		t.Fatal(err)
	}
	spec := &rspec.Spec{Version: ociVersion}
	if err := WriteRuntimeConfig(t.Context(), target, spec); err == nil {
		t.Fatal("writing over a non-empty directory succeeded")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "config.json" {
		t.Errorf("directory holds %v after failed write", entries)
	}

	file := filepath.Join(dir, "other.json")
	if err := os.WriteFile(file, bytes.Repeat([]byte("x"), 10000), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteRuntimeConfig(t.Context(), file, spec); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n\t\"ociVersion\": \"1.3.0\"\n}\n"; string(got) != want {
		t.Errorf("content = %q, want %q", got, want)
	}
	if err := WriteRuntimeConfig(t.Context(), file, nil); err == nil {
		t.Error("nil spec accepted")
	}
}
