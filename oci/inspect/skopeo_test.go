package inspect

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
)

// skopeoPath returns skopeo's path, or skips the test when it is missing.
func skopeoPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("skopeo")
	if err != nil {
		t.Skip("skopeo is not installed")
	}
	return p
}

// skopeoArgs returns skopeo's global --override-* flags for p.
func skopeoArgs(p Platform) []string {
	var args []string
	if p.OS != "" {
		args = append(args, "--override-os", p.OS)
	}
	if p.Architecture != "" {
		args = append(args, "--override-arch", p.Architecture)
	}
	if p.Variant != "" {
		args = append(args, "--override-variant", p.Variant)
	}
	return args
}

// runSkopeo runs skopeo and returns its standard output, or an error
// holding its standard error.
func runSkopeo(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(skopeoPath(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &skopeoError{strings.TrimSpace(stderr.String())}
	}
	return out, nil
}

type skopeoError struct{ msg string }

func (e *skopeoError) Error() string { return e.msg }

// lade runs one inspect mode and renders it as lade's CLI prints it.
type mode struct {
	name   string
	flags  []string
	render func(ctx context.Context, src transport.Source, p Platform) ([]byte, error)
}

var modes = []mode{
	{"inspect", nil, func(ctx context.Context, src transport.Source, p Platform) ([]byte, error) {
		out, err := Inspect(ctx, src, Options{Platform: p})
		if err != nil {
			return nil, err
		}
		// skopeo 1.9.3 has no LayersData (later releases print it): with
		// none, lade's output is one line longer than skopeo's.
		out.LayersData = nil
		var b bytes.Buffer
		err = WriteJSON(&b, out)
		return bytes.Replace(b.Bytes(), []byte("    \"LayersData\": null,\n"), nil, 1), err
	}},
	{"config", []string{"--config"}, func(ctx context.Context, src transport.Source, p Platform) ([]byte, error) {
		cfg, err := Config(ctx, src, p)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		err = WriteJSON(&b, cfg)
		return b.Bytes(), err
	}},
	{"config raw", []string{"--config", "--raw"}, func(ctx context.Context, src transport.Source, p Platform) ([]byte, error) {
		return ConfigRaw(ctx, src, p)
	}},
	{"raw", []string{"--raw"}, func(ctx context.Context, src transport.Source, _ Platform) ([]byte, error) {
		return Raw(ctx, src)
	}},
}

// compareWithSkopeo requires every mode of lade over src to print what
// "skopeo inspect" prints for image (byte for byte), or both to fail.
func compareWithSkopeo(t *testing.T, src transport.Source, image string, p Platform) {
	t.Helper()
	ctx := context.Background()
	for _, m := range modes {
		args := append(append(skopeoArgs(p), "inspect"), m.flags...)
		want, skopeoErr := runSkopeo(t, append(args, image)...)
		got, err := m.render(ctx, src, p)
		switch {
		case skopeoErr != nil && err != nil:
			// Both fail, for the same reason: lade's innermost message is
			// in skopeo's (which logrus prints with escaped quotes).
			msg := err.Error()
			if i := strings.LastIndex(msg, ": "); i >= 0 && !strings.HasPrefix(msg[i+2:], `"`) {
				msg = msg[i+2:]
			}
			if !strings.Contains(strings.ReplaceAll(skopeoErr.Error(), `\"`, `"`), msg) {
				t.Errorf("%s of %s %v: skopeo and lade fail differently:\nskopeo: %v\nlade: %v", m.name, image, p, skopeoErr, err)
			}
		case skopeoErr != nil:
			t.Errorf("skopeo %s %s fails (%v) but lade prints\n%s", strings.Join(args, " "), image, skopeoErr, got)
		case err != nil:
			t.Errorf("lade %s of %s %v: %v; skopeo prints\n%s", m.name, image, p, err, want)
		case !bytes.Equal(got, want):
			t.Errorf("lade %s of %s %v differs from skopeo:\nlade:\n%s\nskopeo:\n%s", m.name, image, p, got, want)
		}
	}
}

func TestInspectLayoutAgainstSkopeo(t *testing.T) {
	skopeoPath(t)
	f := buildFixture(t)
	for _, tc := range []struct {
		tag       string
		platforms []Platform
	}{
		{"small", []Platform{{}}},
		{"custom", []Platform{{}}},
		{"minimal", []Platform{{}}},
		{"artifact", []Platform{{}}},
		{"index", []Platform{
			{}, {Architecture: "amd64"}, {Architecture: "arm64"}, {Architecture: "arm64", Variant: "v8"},
			{Architecture: "arm64", Variant: "v7"}, {Architecture: "arm"}, {Architecture: "arm", Variant: "v8"},
			{Architecture: "arm", Variant: "v6"}, {Architecture: "arm", Variant: "v5"}, {Architecture: "s390x"},
			{OS: "windows"}, {Architecture: "amd64", Variant: "v2"},
		}},
		{"fallback", []Platform{{}, {Architecture: "arm64"}, {Architecture: "riscv64"}}},
		{"nested", []Platform{{}, {Architecture: "arm", Variant: "v7"}}},
	} {
		src := openLayout(t, f.path, tc.tag)
		for _, p := range tc.platforms {
			compareWithSkopeo(t, src, "oci:"+f.path+":"+tc.tag, p)
		}
	}
}

// TestInspectDockerAgainstSkopeo inspects Docker v2s2 images and a Docker
// manifest list that skopeo itself converted into dir: images.
func TestInspectDockerAgainstSkopeo(t *testing.T) {
	skopeoPath(t)
	f := buildFixture(t)
	for _, tc := range []struct {
		tag       string
		all       bool
		platforms []Platform
	}{
		{"small", false, []Platform{{}}},
		{"custom", false, []Platform{{}}},
		{"minimal", false, []Platform{{}}},
		{"index", true, []Platform{{}, {Architecture: "arm", Variant: "v6"}, {Architecture: "arm64"}, {Architecture: "s390x"}}},
	} {
		out := t.TempDir() + "/" + tc.tag
		args := []string{"--insecure-policy", "copy", "-q", "--format", "v2s2"}
		if tc.all {
			args = append(args, "--all")
		}
		if _, err := runSkopeo(t, append(args, "oci:"+f.path+":"+tc.tag, "dir:"+out)...); err != nil {
			t.Fatalf("skopeo copy %s: %v", tc.tag, err)
		}
		src := loadDirImage(t, out)
		if want := "application/vnd.docker.distribution.manifest"; !strings.HasPrefix(src.top.MediaType, want) {
			t.Fatalf("skopeo wrote a %s, not a Docker manifest", src.top.MediaType)
		}
		for _, p := range tc.platforms {
			compareWithSkopeo(t, src, "dir:"+out, p)
		}
	}
}

// TestFormatAgainstSkopeo compares --format output (templates without a
// tab, which skopeo 1.9.3 prints; see Write) and its JSON shortcuts.
func TestFormatAgainstSkopeo(t *testing.T) {
	skopeoPath(t)
	f := buildFixture(t)
	ctx := context.Background()
	src := openLayout(t, f.path, "custom")
	out, err := Inspect(ctx, src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// skopeo 1.9.3 has no LayersData: compare the fields it has (json
	// below prints "LayersData": null, which is dropped for the comparison).
	out.LayersData = nil
	cfg, err := Config(ctx, src, Platform{})
	if err != nil {
		t.Fatal(err)
	}
	image := "oci:" + f.path + ":custom"
	for _, tc := range []struct {
		config bool
		format string
	}{
		{false, "{{.Digest}}"},
		{false, "{{.Name}}|{{.Tag}}|{{.Created}}|{{.Labels}}|{{.Layers}}|{{.RepoTags}}|{{.Env}}"},
		{false, `{{range .Env}}{{.}},{{end}}\n{{len .Layers}}`},
		{false, "{{.Os}}\n"},
		{false, "json"},
		{false, " {{ json . }} "},
		{false, "{{.Nope}}"},
		{false, "{{json .Labels}}"},
		{false, "{{.Os"},
		{true, "{{.OS}}/{{.Architecture}}/{{.Variant}} {{.Config.Env}} {{.Config.Labels}} {{.RootFS.DiffIDs}}"},
		{true, "{{range .History}}{{.Created}} {{.CreatedBy}} {{.EmptyLayer}}{{end}}"},
		{true, "json"},
		{true, "{{.Platform}}"},
	} {
		args := []string{"inspect", "--format", tc.format}
		var v any = out
		if tc.config {
			args, v = append(args, "--config"), cfg
		}
		want, skopeoErr := runSkopeo(t, append(args, image)...)
		var got bytes.Buffer
		err := Write(&got, tc.format, v)
		got = *bytes.NewBuffer(bytes.Replace(got.Bytes(), []byte("    \"LayersData\": null,\n"), nil, 1))
		switch {
		case skopeoErr != nil && err != nil:
		case skopeoErr != nil || err != nil:
			t.Errorf("format %q (config %v): skopeo error %v, lade error %v", tc.format, tc.config, skopeoErr, err)
		case !bytes.Equal(got.Bytes(), want):
			t.Errorf("format %q (config %v): lade printed %q, skopeo %q", tc.format, tc.config, got.String(), want)
		}
	}
}
