package bundle

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// FuzzReadMeta writes arbitrary bytes as a bundle's umoci.json: ReadMeta
// must never panic; what it accepts must be a version "2" file with a
// non-empty descriptor path of valid digests and usable id mappings, and
// must survive a WriteMeta/ReadMeta round trip unchanged.
func FuzzReadMeta(f *testing.F) {
	if demo, err := os.ReadFile("testdata/demo.umoci.json"); err == nil {
		f.Add(demo)
	}
	f.Add([]byte(demoMeta047))
	for _, s := range []string{
		`{"umoci_version":"2","from_descriptor_path":{"descriptor_walk":[{}]}}`,
		`{"umoci_version":"2","from_descriptor_path":{"descriptor_walk":[{"digest":"sha256:../../etc","size":-1}]}}`,
		strings.Replace(demoMeta047, `"hostID":1000,"size":1`, `"hostID":4294967295,"size":2`, 1),
		strings.Replace(demoMeta047, `"size":1}]`, `"size":0}]`, 1),
		`{"umoci_version":"2","from_descriptor_path":null,"map_options":null}`,
		`{"umoci_version":"2","whiteout_mode":1e9}`,
		`[]`, `null`, `"2"`, ``,
	} {
		f.Add([]byte(s))
	}
	in, out := f.TempDir(), f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(in, MetaName), data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := ReadMeta(t.Context(), in)
		if err != nil {
			return
		}
		if m.Version != MetaVersion || len(m.From.Walk) == 0 {
			t.Fatalf("accepted %q as %+v", data, m)
		}
		for _, d := range m.From.Walk {
			if d.Digest.Validate() != nil || d.Size < 0 {
				t.Fatalf("accepted descriptor %+v in %q", d, data)
			}
		}
		for _, maps := range [][]rspec.LinuxIDMapping{m.MapOptions.UIDMappings, m.MapOptions.GIDMappings} {
			for _, mp := range maps {
				last := uint64(mp.Size) - 1
				if mp.Size == 0 || uint64(mp.ContainerID)+last > math.MaxUint32 || uint64(mp.HostID)+last > math.MaxUint32 {
					t.Fatalf("accepted id mapping %+v in %q", mp, data)
				}
			}
		}
		if err := WriteMeta(t.Context(), out, m); err != nil {
			t.Fatalf("WriteMeta(%+v): %v", m, err)
		}
		again, err := ReadMeta(t.Context(), out)
		if err != nil {
			t.Fatalf("ReadMeta of WriteMeta(%+v): %v", m, err)
		}
		j1, err1 := json.Marshal(m)
		j2, err2 := json.Marshal(again)
		if err1 != nil || err2 != nil || !bytes.Equal(j1, j2) {
			t.Fatalf("round trip changed meta:\n%s\n%s", j1, j2)
		}
	})
}
