package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/layer"
)

// TestWriteFilesTextHostileNames: every name that could be misread is
// quoted, and a quoted name unquotes to the exact bytes.
func TestWriteFilesTextHostileNames(t *testing.T) {
	tests := []struct {
		name   string
		change layer.Change
		want   string
	}{
		{name: "invalid utf-8 path", change: layer.Change{Kind: layer.Added, Path: "/bad\xff"}, want: `A "/bad\xff"`},
		{name: "replacement char is not an invalid byte", change: layer.Change{Kind: layer.Added, Path: "/ok\ufffd"}, want: "A /ok\ufffd"},
		{name: "link with arrow", change: layer.Change{Kind: layer.Modified, Path: "/l", Fields: []string{layer.FieldLink},
			Old: &layer.Node{Type: layer.TypeSymlink, Linkname: "a->b"}, New: &layer.Node{Type: layer.TypeSymlink, Linkname: "c"}},
			want: `M /l link:"a->b"->c`},
		{name: "link invalid utf-8", change: layer.Change{Kind: layer.Modified, Path: "/l", Fields: []string{layer.FieldLink},
			Old: &layer.Node{Type: layer.TypeSymlink, Linkname: "x"}, New: &layer.Node{Type: layer.TypeSymlink, Linkname: "\xfe"}},
			want: `M /l link:x->"\xfe"`},
		{name: "xattr name with comma", change: layer.Change{Kind: layer.Modified, Path: "/x", Fields: []string{layer.FieldXattr},
			Xattrs: []string{"user.a,b", "user.c"}, Old: &layer.Node{}, New: &layer.Node{}},
			want: `M /x xattr:"user.a,b",user.c`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeFilesText(&buf, []layer.Change{tc.change}); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSuffix(buf.String(), "\n"); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestWriteDiffJSONInvalidUTF8: the document is valid UTF-8, and names
// that are not valid UTF-8 are Go-quoted, so distinct names stay distinct.
func TestWriteDiffJSONInvalidUTF8(t *testing.T) {
	link := &layer.Node{Type: layer.TypeSymlink, Mode: 0o777, Linkname: "\xfe", Xattrs: map[string]string{"user.\xfd": "v"}}
	files := []layer.Change{
		{Kind: layer.Added, Path: "/a\xff", New: &layer.Node{Type: layer.TypeRegular}},
		{Kind: layer.Added, Path: "/a\xfe", New: &layer.Node{Type: layer.TypeRegular}},
		{Kind: layer.Added, Path: "/a\ufffd", New: &layer.Node{Type: layer.TypeRegular}},
		{Kind: layer.Added, Path: "/l", New: link},
		{Kind: layer.Modified, Path: "/q", Fields: []string{layer.FieldLink}, Old: &layer.Node{Type: layer.TypeSymlink, Linkname: `"q"`},
			New: &layer.Node{Type: layer.TypeSymlink, Linkname: "q"}},
	}
	var buf bytes.Buffer
	if err := writeDiffJSON(&buf, nil, files, false, true); err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(buf.Bytes()) {
		t.Fatalf("output is not valid UTF-8: %q", buf.String())
	}
	var doc struct {
		Files []struct {
			Path string `json:"path"`
			Old  *struct {
				Link string `json:"link"`
			} `json:"old"`
			New *struct {
				Link   string   `json:"link"`
				Xattrs []string `json:"xattrs"`
			} `json:"new"`
		} `json:"files"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	unq := func(s string) string {
		if strings.HasPrefix(s, `"`) {
			u, err := strconv.Unquote(s)
			if err != nil {
				t.Fatalf("unquote %s: %v", s, err)
			}
			return u
		}
		return s
	}
	for i, want := range []string{"/a\xff", "/a\xfe", "/a\ufffd", "/l", "/q"} {
		if got := unq(doc.Files[i].Path); got != want {
			t.Errorf("path %d: %q decodes to %q, want %q", i, doc.Files[i].Path, got, want)
		}
	}
	if got := unq(doc.Files[3].New.Link); got != "\xfe" {
		t.Errorf("link %q decodes to %q", doc.Files[3].New.Link, got)
	}
	if got := unq(doc.Files[3].New.Xattrs[0]); got != "user.\xfd" {
		t.Errorf("xattr %q decodes to %q", doc.Files[3].New.Xattrs[0], got)
	}
	if got := unq(doc.Files[4].Old.Link); got != `"q"` {
		t.Errorf("link %q decodes to %q", doc.Files[4].Old.Link, got)
	}
}

// TestDiffConfigsAmbiguous: changes that a set of KEY=VALUE strings or of
// Env entries would hide.
func TestDiffConfigsAmbiguous(t *testing.T) {
	img := func(env []string, labels map[string]string) *diffImage {
		return &diffImage{config: &ispec.Image{Config: ispec.ImageConfig{Env: env, Labels: labels}}, manifest: &ispec.Manifest{}}
	}
	tests := []struct {
		name string
		a, b *diffImage
		want string
	}{
		{name: "label key with =", a: img(nil, map[string]string{"a=b": "c"}), b: img(nil, map[string]string{"a": "b=c"}),
			want: "config Labels -a=b=c\nconfig Labels +a=b=c\n"},
		{name: "label value with =", a: img(nil, map[string]string{"a": "b=c"}), b: img(nil, map[string]string{"a": "b=d"}),
			want: "config Labels -a=b=c\nconfig Labels +a=b=d\n"},
		{name: "env duplicate order", a: img([]string{"A=1", "A=2"}, nil), b: img([]string{"A=2", "A=1"}, nil),
			want: "config Env [\"A=1\",\"A=2\"] -> [\"A=2\",\"A=1\"]\n"},
		{name: "env duplicates repeated", a: img([]string{"A=1", "A=1", "B"}, nil), b: img([]string{"B", "A=1"}, nil)},
		{name: "env without =", a: img([]string{"A", "B=1"}, nil), b: img([]string{"A=", "B=1"}, nil),
			want: "config Env -A\nconfig Env +A=\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeConfigText(&buf, diffConfigs(tc.a, tc.b)); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tc.want {
				t.Fatalf("got:\n%s\nwant:\n%s", buf.String(), tc.want)
			}
		})
	}
}
