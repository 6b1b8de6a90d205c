package layer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestGenerateInsertLayers(t *testing.T) {
	src := generateInsertSrc(t)
	motd := generateWrite(t, t.TempDir(), "motd", "hi", 0o644)
	other := generateWrite(t, t.TempDir(), "motd", "later", 0o600)
	for _, tc := range []struct {
		name    string
		sources []InsertSource
		opaque  bool
		want    string
	}{
		{"two sources in order", []InsertSource{{src, "/opt/d"}, {motd, "/etc/motd"}}, false,
			"opt/d/ opt/d/f opt/d/h opt/d/l etc/motd"},
		{"opaque for each", []InsertSource{{src, "/opt/d"}, {src, "/srv"}}, true,
			"opt/d/.wh..wh..opq opt/d/ opt/d/f opt/d/h opt/d/l srv/.wh..wh..opq srv/ srv/f srv/h srv/l"},
		{"same target twice", []InsertSource{{motd, "/etc/motd"}, {other, "/etc/motd"}}, false,
			"etc/motd etc/motd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := GenerateInsertLayers(t.Context(), &buf, tc.sources, tc.opaque, nil); err != nil {
				t.Fatal(err)
			}
			if got := generateNames(generateReadTar(t, buf.Bytes())); got != tc.want {
				t.Fatalf("entries [%s], want [%s]", got, tc.want)
			}
		})
	}
	t.Run("no source", func(t *testing.T) {
		if err := GenerateInsertLayers(t.Context(), &bytes.Buffer{}, nil, false, nil); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("missing second source writes an error", func(t *testing.T) {
		err := GenerateInsertLayers(t.Context(), &bytes.Buffer{},
			[]InsertSource{{motd, "/a"}, {filepath.Join(t.TempDir(), "nope"), "/b"}}, false, nil)
		if err == nil {
			t.Fatal("no error")
		}
	})
}

// TestGenerateInsertLayersUnpack applies a two-source layer whose sources
// overlap and checks that the later source wins and that a hardlink
// between the sources survives, with the real applier.
func TestGenerateInsertLayersUnpack(t *testing.T) {
	dir := t.TempDir()
	a := generateWrite(t, dir, "a/conf", "first", 0o644)
	b := generateWrite(t, dir, "b/conf", "second", 0o644)
	if err := os.Link(a, filepath.Join(dir, "b", "same")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	sources := []InsertSource{{filepath.Dir(a), "/etc/app"}, {filepath.Dir(b), "/etc/app"}}
	if err := GenerateInsertLayers(t.Context(), &buf, sources, false, nil); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := UnpackLayer(t.Context(), root, &buf, nil); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"etc/app/conf": "second", "etc/app/same": "first"} {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestGenerateWhiteoutLayerSeveral(t *testing.T) {
	var buf bytes.Buffer
	if err := GenerateWhiteoutLayer(t.Context(), &buf, "/opt/x", "/etc/motd"); err != nil {
		t.Fatal(err)
	}
	if got := generateNames(generateReadTar(t, buf.Bytes())); got != "opt/.wh.x etc/.wh.motd" {
		t.Fatalf("entries [%s]", got)
	}
	if err := GenerateWhiteoutLayer(t.Context(), &bytes.Buffer{}); err == nil {
		t.Fatal("no targets: no error")
	}
	if err := GenerateWhiteoutLayer(t.Context(), &bytes.Buffer{}, "/a", "/"); err == nil {
		t.Fatal("root among the targets: no error")
	}
}

// TestGenerateInsertLayersDirReplaced: a later source replaces a directory
// of an earlier one by a file; a hardlink to a file that was under that
// directory must then be archived in full, not linked to a vanished name.
func TestGenerateInsertLayersDirReplaced(t *testing.T) {
	dir := t.TempDir()
	conf := generateWrite(t, dir, "a/conf", "first", 0o644)
	file := generateWrite(t, dir, "f/app", "a file now", 0o644)
	if err := os.Mkdir(filepath.Join(dir, "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(conf, filepath.Join(dir, "c", "same")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	sources := []InsertSource{
		{filepath.Join(dir, "a"), "/etc/app"},
		{file, "/etc/app"},
		{filepath.Join(dir, "c"), "/srv"},
	}
	if err := GenerateInsertLayers(t.Context(), &buf, sources, false, nil); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := UnpackLayer(t.Context(), root, bytes.NewReader(buf.Bytes()), nil); err != nil {
		t.Fatalf("unpack: %v", err)
	}
	for name, want := range map[string]string{"etc/app": "a file now", "srv/same": "first"} {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
}
