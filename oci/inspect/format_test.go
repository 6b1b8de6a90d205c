package inspect

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
)

func TestWrite(t *testing.T) {
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	out := &Output{
		Name: "docker.io/library/busybox", Digest: digest.Digest("sha256:" + strings.Repeat("0", 64)), RepoTags: []string{"1", "latest"},
		Created: &created, Architecture: "amd64", Os: "linux", Layers: []string{}, Labels: map[string]string{"k": "<v>"},
	}
	for _, tc := range []struct {
		format, want string
	}{
		{"{{.Name}}", "docker.io/library/busybox\n"},
		{"{{.Os}}\n", "linux\n"},
		{`{{.Os}}\n{{.Architecture}}`, "linux\namd64\n"},
		{"{{.Created}}", "2024-01-02 03:04:05 +0000 UTC\n"},
		{"{{range .RepoTags}}[{{.}}]{{end}}", "[1][latest]\n"},
		// Tab-separated columns are aligned (skopeo 1.9.3 prints nothing).
		{`{{.Os}}\t{{.Architecture}}\nx\ty`, "linux   amd64\nx       y\n"},
		{"table {{.Os}} {{.Architecture}}", "linux   amd64\n"},
		// The JSON shortcuts print what no --format prints.
		{"json", ""},
		{"{{json .}}", ""},
		{"  {{ json . }}\n", ""},
	} {
		var got bytes.Buffer
		if err := Write(&got, tc.format, out); err != nil {
			t.Errorf("Write(%q): %v", tc.format, err)
			continue
		}
		want := tc.want
		if want == "" {
			var b bytes.Buffer
			if err := WriteJSON(&b, out); err != nil {
				t.Fatal(err)
			}
			want = b.String()
			if !strings.HasPrefix(want, "{\n    \"Name\": ") || !strings.Contains(want, `"k": "\u003cv\u003e"`) {
				t.Fatalf("WriteJSON:\n%s", want)
			}
		}
		if got.String() != want {
			t.Errorf("Write(%q) = %q, want %q", tc.format, got.String(), want)
		}
	}
	for format, want := range map[string]string{
		"{{.Nope}}":        "execute format: template: inspect:1:14: executing",
		"{{.Os":            "parse format: template: inspect:2: unexpected",
		"{{json .Labels}}": `parse format: template: inspect:1: function "json" not defined`,
	} {
		err := Write(new(bytes.Buffer), format, out)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Write(%q) = %v, want an error starting %q", format, err, want)
		}
	}
}
