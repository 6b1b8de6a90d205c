package archive

import (
	"archive/tar"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// TestLegacyRefuses covers legacy archives Open must refuse, each with a
// one-line reason.
func TestLegacyRefuses(t *testing.T) {
	l := layerTar(t, "f")
	cfg := imageConfig(t, l)
	cfgFile := file(configName(cfg), cfg)
	layerFile := file("a/layer.tar", l)
	manifest := func(s string) entry { return file("manifest.json", s) }
	ok := func(layers string) entry {
		return manifest(`[{"Config":"` + configName(cfg) + `","RepoTags":["x:1"],"Layers":` + layers + `}]`)
	}
	other := imageConfig(t, l, l)
	tests := []struct {
		name    string
		entries []entry
		msg     string
	}{
		{"not JSON", []entry{manifest(`[{`)}, "manifest.json: invalid JSON"},
		{"not an array", []entry{manifest(`{"Config":"x"}`)}, "manifest.json: invalid JSON"},
		{"no Config", []entry{manifest(`[{"Layers":[]}]`)}, "manifest.json entry 1: no Config"},
		{"no Layers", []entry{cfgFile, manifest(`[{"Config":"` + configName(cfg) + `"}]`)}, "manifest.json entry 1: no Layers"},
		{"config missing", []entry{layerFile, ok(`["a/layer.tar"]`)}, `member "` + configName(cfg) + `" is missing`},
		{"layer missing", []entry{cfgFile, ok(`["b/layer.tar"]`)}, `member "b/layer.tar" is missing`},
		{"dotdot layer name", []entry{cfgFile, layerFile, ok(`["a/../../layer.tar"]`)}, `contains ".."`},
		{"absolute layer name", []entry{cfgFile, layerFile, ok(`["/a/layer.tar"]`)}, "absolute member name"},
		{"dotdot member", []entry{cfgFile, file("../evil", "x"), ok(`["a/layer.tar"]`)}, `contains ".."`},
		{"layer is a directory", []entry{cfgFile, link(tar.TypeDir, "a/layer.tar/", ""), ok(`["a/layer.tar"]`)}, "is a directory"},
		{"layer is a fifo", []entry{cfgFile, link(tar.TypeFifo, "a/layer.tar", ""), ok(`["a/layer.tar"]`)}, "is not a regular file"},
		{"symlink outside", []entry{cfgFile, link(tar.TypeSymlink, "a/layer.tar", "../../etc/passwd"), ok(`["a/layer.tar"]`)},
			"outside the archive"},
		{"absolute symlink", []entry{cfgFile, link(tar.TypeSymlink, "a/layer.tar", "/etc/passwd"), ok(`["a/layer.tar"]`)},
			"symbolic link to the absolute path"},
		{"symlink loop", []entry{cfgFile, link(tar.TypeSymlink, "a/layer.tar", "layer.tar"), ok(`["a/layer.tar"]`)},
			"more than 8 symbolic links"},
		{"dangling hard link", []entry{cfgFile, link(tar.TypeLink, "a/layer.tar", "nowhere"), ok(`["a/layer.tar"]`)},
			"not an earlier regular member"},
		{"duplicate layer", []entry{cfgFile, layerFile, file("./a/layer.tar", l), ok(`["a/layer.tar"]`)},
			`duplicate member "a/layer.tar"`},
		{"duplicate manifest.json", []entry{cfgFile, layerFile, ok(`["a/layer.tar"]`), ok(`["a/layer.tar"]`)},
			`duplicate member "manifest.json"`},
		{"config named after another digest", []entry{file(configName(other), cfg), layerFile,
			manifest(`[{"Config":"` + configName(other) + `","Layers":["a/layer.tar"]}]`)}, "not the one its name gives"},
		{"config not JSON", []entry{file("c.json", "{"), layerFile, manifest(`[{"Config":"c.json","Layers":["a/layer.tar"]}]`)},
			`config "c.json": invalid JSON`},
		{"diff_id count", []entry{cfgFile, layerFile, ok(`["a/layer.tar","a/layer.tar"]`)}, "lists 1 diff_ids for 2 layers"},
		{"diff_id mismatch", []entry{cfgFile, file("a/layer.tar", l+"x"), ok(`["a/layer.tar"]`)}, "but the config's diff_id is"},
		{"empty RepoTag", []entry{cfgFile, layerFile,
			manifest(`[{"Config":"` + configName(cfg) + `","RepoTags":[""],"Layers":["a/layer.tar"]}]`)}, "empty RepoTag"},
		{"tag on two images", []entry{cfgFile, layerFile, file("c.json", other), manifest(`[` +
			`{"Config":"` + configName(cfg) + `","RepoTags":["x:1"],"Layers":["a/layer.tar"]},` +
			`{"Config":"c.json","RepoTags":["x:1"],"Layers":["a/layer.tar","a/layer.tar"]}]`)},
			`manifest.json entry 2: tag "x:1" names two different images`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), writeFile(t, "legacy.tar", tarBytes(t, tc.entries...)))
			wantErr(t, "Open", err, cas.ErrInvalid)
			if !strings.HasPrefix(err.Error(), "open archive: ") || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q, want it to contain %q", err, tc.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

// TestLegacyAccepts covers unusual but valid legacy archives.
func TestLegacyAccepts(t *testing.T) {
	l := layerTar(t, "f")
	cfg := imageConfig(t, l)
	cfgFile := file(configName(cfg), cfg)
	tests := []struct {
		name    string
		entries []entry
		tags    []string
	}{
		{"empty list", []entry{file("manifest.json", `[]`)}, nil},
		{"dot-slash names and a hard link", []entry{file("./"+configName(cfg), cfg), file("./keep/layer.tar", l),
			link(tar.TypeLink, "a/layer.tar", "./keep/layer.tar"),
			file("manifest.json", `[{"Config":"./`+configName(cfg)+`","RepoTags":["x:1"],"Layers":["./a/layer.tar"]}]`)},
			[]string{"x:1"}},
		{"same image listed twice", []entry{cfgFile, file("a/layer.tar", l), file("manifest.json", `[`+
			`{"Config":"`+configName(cfg)+`","RepoTags":["x:1","x:2"],"Layers":["a/layer.tar"]},`+
			`{"Config":"`+configName(cfg)+`","RepoTags":["x:1"],"Layers":["a/layer.tar"]}]`)},
			[]string{"x:1", "x:2"}},
		{"unknown keys and LayerSources", []entry{cfgFile, file("a/layer.tar", l), file("manifest.json",
			`[{"Config":"`+configName(cfg)+`","RepoTags":["x:1"],"Layers":["a/layer.tar"],"LayerSources":{},"Other":1}]`)},
			[]string{"x:1"}},
		{"unreferenced bad members", []entry{cfgFile, file("a/layer.tar", l), link(tar.TypeSymlink, "b/layer.tar", "/etc/passwd"),
			file("dup", "1"), file("dup", "2"),
			file("manifest.json", `[{"Config":"`+configName(cfg)+`","RepoTags":["x:1"],"Layers":["a/layer.tar"]}]`)},
			[]string{"x:1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := mustOpen(t, writeTar(t, tc.entries...))
			idx, err := e.GetIndex(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range idx.Manifests {
				got = append(got, d.Annotations["org.opencontainers.image.ref.name"])
			}
			if strings.Join(got, " ") != strings.Join(tc.tags, " ") {
				t.Fatalf("tags %v, want %v", got, tc.tags)
			}
		})
	}
}

func TestDigestNamed(t *testing.T) {
	hex := digest.FromString("x").Encoded()
	for name, want := range map[string]bool{
		hex + ".json":                  true,
		strings.ToUpper(hex) + ".json": false,
		hex[1:] + ".json":              false,
		hex + "0.json":                 false,
		hex:                            false,
		hex + ".json.gz":               false,
		"sha256:" + hex[7:] + ".json":  false,
		hex[:63] + "g.json":            false,
	} {
		got, ok := digestNamed(name)
		if ok != want || ok && got != hex {
			t.Errorf("digestNamed(%q) = %q, %v; want %v", name, got, ok, want)
		}
	}
}
