package main

import (
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/mutate"
)

// configEdit is the state config edits: the image config, the metadata and
// the manifest annotations.
type configEdit struct {
	cfg         ispec.ImageConfig
	meta        mutate.Meta
	annotations map[string]string
}

// cloneEdit deep-copies e (apply edits maps and slices in place).
func cloneEdit(e configEdit) configEdit {
	e.cfg.Env = slices.Clone(e.cfg.Env)
	e.cfg.Entrypoint, e.cfg.Cmd = slices.Clone(e.cfg.Entrypoint), slices.Clone(e.cfg.Cmd)
	e.cfg.ExposedPorts, e.cfg.Volumes = maps.Clone(e.cfg.ExposedPorts), maps.Clone(e.cfg.Volumes)
	e.cfg.Labels, e.annotations = maps.Clone(e.cfg.Labels), maps.Clone(e.annotations)
	return e
}

// applyConfigFlags parses args (config flags only) the way the config
// command does and applies them to a copy of base.
func applyConfigFlags(t *testing.T, base configEdit, args ...string) (configEdit, error) {
	t.Helper()
	got := cloneEdit(base)
	var optErr error
	app := &cli.App{
		Name:                      "lade",
		Writer:                    io.Discard,
		ErrWriter:                 io.Discard,
		DisableSliceFlagSeparator: true,
		Commands: []*cli.Command{{
			Name:  "config",
			Flags: configFlags(),
			Action: func(c *cli.Context) error {
				opts, err := configOptionsFromFlags(c)
				if err != nil {
					optErr = err
					return nil
				}
				opts.apply(&got.cfg, &got.meta, &got.annotations)
				return nil
			},
		}},
	}
	if err := app.RunContext(t.Context(), append([]string{"lade", "config"}, args...)); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return got, optErr
}

func TestConfigFlagsApply(t *testing.T) {
	created := time.Date(2024, 1, 2, 3, 4, 5, 600_000_000, time.FixedZone("", 3600))
	base := configEdit{
		cfg: ispec.ImageConfig{
			User:         "root",
			ExposedPorts: map[string]struct{}{"80/tcp": {}},
			Env:          []string{"PATH=/bin", "A=1", "B=2"},
			Entrypoint:   []string{"/old"},
			Cmd:          []string{"old"},
			Volumes:      map[string]struct{}{"/v": {}},
			Labels:       map[string]string{"l": "1"},
			WorkingDir:   "/",
			StopSignal:   "SIGINT",
		},
		meta:        mutate.Meta{Author: "me", OS: "linux", Architecture: "arm64", Variant: "v8"},
		annotations: map[string]string{"a": "1"},
	}
	with := func(f func(e *configEdit)) configEdit {
		e := cloneEdit(base)
		f(&e)
		return e
	}
	tests := []struct {
		name string
		args []string
		want configEdit
	}{
		{"no flags", nil, base},
		{"user", []string{"--config.user", "1000:1000"}, with(func(e *configEdit) { e.cfg.User = "1000:1000" })},
		{"empty user", []string{"--config.user", ""}, with(func(e *configEdit) { e.cfg.User = "" })},
		{"workingdir stopsignal", []string{"--config.workingdir", "/w", "--config.stopsignal", "SIGKILL"},
			with(func(e *configEdit) { e.cfg.WorkingDir, e.cfg.StopSignal = "/w", "SIGKILL" })},
		{"exposedports add", []string{"--config.exposedports", "8080/tcp", "--config.exposedports", "80/tcp"},
			with(func(e *configEdit) { e.cfg.ExposedPorts = map[string]struct{}{"80/tcp": {}, "8080/tcp": {}} })},
		{"env replace in place and append", []string{"--config.env", "A=x=y", "--config.env", "C=", "--config.env", "C=3"},
			with(func(e *configEdit) { e.cfg.Env = []string{"PATH=/bin", "A=x=y", "B=2", "C=3"} })},
		{"entrypoint and cmd are whole arrays, commas kept, dashes ok",
			[]string{"--config.entrypoint", "/bin/sh", "--config.cmd", "-c", "--config.cmd", "echo a,b"},
			with(func(e *configEdit) { e.cfg.Entrypoint, e.cfg.Cmd = []string{"/bin/sh"}, []string{"-c", "echo a,b"} })},
		{"volume add, with the docs spelling", []string{"--config.volume", "/data", "--config.volumes", "/x"},
			with(func(e *configEdit) { e.cfg.Volumes = map[string]struct{}{"/v": {}, "/data": {}, "/x": {}} })},
		{"label value with =", []string{"--config.label", "k=a=b", "--config.label", "l=2"},
			with(func(e *configEdit) { e.cfg.Labels = map[string]string{"l": "2", "k": "a=b"} })},
		{"annotation", []string{"--manifest.annotation", "b=", "--manifest.annotation", "a=2"},
			with(func(e *configEdit) { e.annotations = map[string]string{"a": "2", "b": ""} })},
		{"created author", []string{"--created", "2024-01-02T03:04:05.6+01:00", "--author", "you"},
			with(func(e *configEdit) { e.meta.Created, e.meta.Author = created, "you" })},
		{"platform keeps variant", []string{"--platform.os", "freebsd", "--platform.arch", "riscv64"},
			with(func(e *configEdit) { e.meta.OS, e.meta.Architecture = "freebsd", "riscv64" })},
		{"platform aliases and variant", []string{"--os", "windows", "--architecture", "arm", "--platform.variant", "v7"},
			with(func(e *configEdit) { e.meta.OS, e.meta.Architecture, e.meta.Variant = "windows", "arm", "v7" })},
		{"clear everything", []string{"--clear", "config.labels", "--clear", "manifest.annotations",
			"--clear", "config.exposedports", "--clear", "config.env", "--clear", "config.volume",
			"--clear", "config.cmd", "--clear", "config.entrypoint"},
			with(func(e *configEdit) {
				e.cfg.Labels, e.cfg.ExposedPorts, e.cfg.Env, e.cfg.Volumes = nil, nil, nil, nil
				e.cfg.Cmd, e.cfg.Entrypoint, e.annotations = nil, nil, nil
			})},
		{"clear applies before additions whatever the order",
			[]string{"--config.env", "Z=1", "--config.label", "n=1", "--clear", "config.env", "--clear", "config.label"},
			with(func(e *configEdit) { e.cfg.Env, e.cfg.Labels = []string{"Z=1"}, map[string]string{"n": "1"} })},
		{"volumes alias", []string{"--config.volumes", "/x"},
			with(func(e *configEdit) { e.cfg.Volumes = map[string]struct{}{"/v": {}, "/x": {}} })},
		{"clear synonyms", []string{"--clear", "config.volumes", "--clear", "manifest.annotation"},
			with(func(e *configEdit) { e.cfg.Volumes, e.annotations = nil, nil })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := applyConfigFlags(t, base, tc.args...)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !tc.want.meta.Created.Equal(got.meta.Created) {
				t.Errorf("created = %v, want %v", got.meta.Created, tc.want.meta.Created)
			}
			got.meta.Created, tc.want.meta.Created = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestConfigFlagsApplyToEmpty(t *testing.T) {
	got, err := applyConfigFlags(t, configEdit{}, "--config.exposedports", "1/udp", "--config.volume", "/v",
		"--config.label", "k=v", "--manifest.annotation", "a=b", "--config.env", "E=1")
	if err != nil {
		t.Fatal(err)
	}
	want := configEdit{
		cfg: ispec.ImageConfig{
			ExposedPorts: map[string]struct{}{"1/udp": {}}, Volumes: map[string]struct{}{"/v": {}},
			Labels: map[string]string{"k": "v"}, Env: []string{"E=1"},
		},
		annotations: map[string]string{"a": "b"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestConfigFlagsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--manifest.annotation", "noequals"}, `invalid --manifest.annotation "noequals": must be of the form KEY=VALUE`},
		{[]string{"--manifest.annotation", "=v"}, "KEY is empty"},
		{[]string{"--config.label", "x"}, `invalid --config.label "x"`},
		{[]string{"--config.env", "=bar"}, `invalid --config.env "=bar": KEY is empty`},
		{[]string{"--config.env", "FOO"}, `invalid --config.env "FOO"`},
		{[]string{"--created", "yesterday"}, `invalid --created "yesterday"`},
		{[]string{"--created", "2024-01-02 03:04:05"}, "invalid --created"},
		{[]string{"--clear", "rootfs.diffids"}, "invalid --clear rootfs.diffids"},
		{[]string{"--clear", "config.nope"}, `unknown key "config.nope"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := applyConfigFlags(t, configEdit{}, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
