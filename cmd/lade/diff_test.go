package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/layer"
)

func TestDiffConfigs(t *testing.T) {
	img := func(edit func(c *ispec.Image, m *ispec.Manifest)) *diffImage {
		c := &ispec.Image{Config: ispec.ImageConfig{Env: []string{"PATH=/bin", "A=1"}, Cmd: []string{"sh"},
			Labels: map[string]string{"k": "v"}}}
		c.RootFS.DiffIDs = []digest.Digest{digest.FromString("l0")}
		m := &ispec.Manifest{}
		if edit != nil {
			edit(c, m)
		}
		return &diffImage{config: c, manifest: m}
	}
	tests := []struct {
		name string
		edit func(c *ispec.Image, m *ispec.Manifest)
		want string
	}{
		{name: "same"},
		{name: "env order and empty lists ignored", edit: func(c *ispec.Image, _ *ispec.Manifest) {
			c.Config.Env = []string{"A=1", "PATH=/bin", "A=1"}
			c.Config.Entrypoint = []string{}
		}},
		{name: "env and cmd", edit: func(c *ispec.Image, _ *ispec.Manifest) {
			c.Config.Env = []string{"PATH=/usr/bin", "A=1", "B=x y"}
			c.Config.Cmd = []string{"bash"}
		}, want: "config Env -PATH=/bin\nconfig Env +\"B=x y\"\nconfig Env +PATH=/usr/bin\nconfig Cmd [\"sh\"] -> [\"bash\"]\n"},
		{name: "labels annotations layers", edit: func(c *ispec.Image, m *ispec.Manifest) {
			c.Config.Labels = map[string]string{"k": "w", "n": "1"}
			c.RootFS.DiffIDs = append(c.RootFS.DiffIDs, digest.FromString("l1"))
			m.Annotations = map[string]string{"a": "line\nbreak"}
		}, want: "config Labels -k=v\nconfig Labels +k=w\nconfig Labels +n=1\nconfig Layers 1 -> 2\nconfig DiffIDs[1] +" +
			digest.FromString("l1").String() + "\nmanifest Annotations +\"a=line\\nbreak\"\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeConfigText(&buf, diffConfigs(img(nil), img(tc.edit))); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tc.want {
				t.Fatalf("got:\n%s\nwant:\n%s", buf.String(), tc.want)
			}
		})
	}
}

func TestWriteFilesText(t *testing.T) {
	old := &layer.Node{Type: layer.TypeSymlink, Mode: 0o777, Linkname: "a b"}
	changes := []layer.Change{
		{Kind: layer.Added, Path: "/new\nline"},
		{Kind: layer.Modified, Path: "/l", Fields: []string{layer.FieldUID, layer.FieldLink}, Old: old,
			New: &layer.Node{Type: layer.TypeSymlink, Mode: 0o777, UID: 5, Linkname: "c"}},
		{Kind: layer.Modified, Path: "/x", Fields: []string{layer.FieldXattr}, Xattrs: []string{"user.a", "user.b"}, Old: old, New: old},
	}
	var buf bytes.Buffer
	if err := writeFilesText(&buf, changes); err != nil {
		t.Fatal(err)
	}
	want := "A \"/new\\nline\"\nM /l uid:0->5 link:\"a b\"->c\nM /x xattr:user.a,user.b\n"
	if buf.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
	if strings.Count(buf.String(), "\n") != len(changes) {
		t.Fatal("a change spans lines")
	}
}
