package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/mutate"
)

// clearKeys maps every key --clear accepts to its canonical name. The
// canonical names are umoci's; the others are the spellings umoci's
// documentation uses elsewhere (a singular/plural mix-up), accepted so that
// scripts written from the docs work.
var clearKeys = map[string]string{
	"config.labels":        "config.labels",
	"config.label":         "config.labels",
	"manifest.annotations": "manifest.annotations",
	"manifest.annotation":  "manifest.annotations",
	"config.exposedports":  "config.exposedports",
	"config.env":           "config.env",
	"config.volume":        "config.volume",
	"config.volumes":       "config.volume",
	"config.cmd":           "config.cmd",
	"config.entrypoint":    "config.entrypoint",
}

// configOptions are the edits requested by the config command's flags,
// validated. A nil pointer or slice means "flag not given, keep the value".
type configOptions struct {
	clear map[string]bool // canonical --clear keys

	user, workingDir, stopSignal *string
	exposedPorts, volumes        []string
	env                          []keyValue
	labels, annotations          []keyValue
	entrypoint, cmd              []string // whole arrays; nil when not given

	created           *time.Time
	author            *string
	os, arch, variant *string
}

// keyValue is one parsed K=V flag value.
type keyValue struct{ key, value string }

// parseKeyValue splits s at the first '=' (the value may contain more).
// The key must not be empty.
func parseKeyValue(flag, s string) (keyValue, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return keyValue{}, fmt.Errorf("invalid --%s %q: must be of the form KEY=VALUE", flag, s)
	}
	if k == "" {
		return keyValue{}, fmt.Errorf("invalid --%s %q: KEY is empty", flag, s)
	}
	return keyValue{key: k, value: v}, nil
}

func parseKeyValues(c *cli.Context, flag string) ([]keyValue, error) {
	var kvs []keyValue
	for _, s := range c.StringSlice(flag) {
		kv, err := parseKeyValue(flag, s)
		if err != nil {
			return nil, err
		}
		kvs = append(kvs, kv)
	}
	return kvs, nil
}

// optString returns the flag's value when it was given, else nil.
func optString(c *cli.Context, flag string) *string {
	if !c.IsSet(flag) {
		return nil
	}
	s := c.String(flag)
	return &s
}

// optSlice returns the flag's values when it was given (never nil then),
// else nil.
func optSlice(c *cli.Context, flag string) []string {
	if !c.IsSet(flag) {
		return nil
	}
	return append([]string{}, c.StringSlice(flag)...)
}

// configOptionsFromFlags reads and validates every editing flag of config.
func configOptionsFromFlags(c *cli.Context) (configOptions, error) {
	o := configOptions{
		clear:        map[string]bool{},
		user:         optString(c, "config.user"),
		workingDir:   optString(c, "config.workingdir"),
		stopSignal:   optString(c, "config.stopsignal"),
		exposedPorts: optSlice(c, "config.exposedports"),
		volumes:      append(optSlice(c, "config.volume"), optSlice(c, "config.volumes")...),
		entrypoint:   optSlice(c, "config.entrypoint"),
		cmd:          optSlice(c, "config.cmd"),
		author:       optString(c, "author"),
		os:           optString(c, "platform.os"),
		arch:         optString(c, "platform.arch"),
		variant:      optString(c, "platform.variant"),
	}
	for _, key := range c.StringSlice("clear") {
		if key == "rootfs.diffids" {
			return configOptions{}, errors.New("invalid --clear rootfs.diffids: clearing the layer diff_ids would corrupt the image")
		}
		canon, ok := clearKeys[key]
		if !ok {
			return configOptions{}, fmt.Errorf("invalid --clear: unknown key %q", key)
		}
		o.clear[canon] = true
	}
	var err error
	if o.env, err = parseKeyValues(c, "config.env"); err != nil {
		return configOptions{}, err
	}
	if o.labels, err = parseKeyValues(c, "config.label"); err != nil {
		return configOptions{}, err
	}
	if o.annotations, err = parseKeyValues(c, "manifest.annotation"); err != nil {
		return configOptions{}, err
	}
	if c.IsSet("created") {
		t, err := time.Parse(time.RFC3339Nano, c.String("created"))
		if err != nil {
			return configOptions{}, fmt.Errorf("invalid --created %q: want RFC 3339 (e.g. 2006-01-02T15:04:05Z)", c.String("created"))
		}
		o.created = &t
	}
	return o, nil
}

// apply makes the edits on cfg, meta and annotations (which it may replace,
// hence the pointer): first every --clear, then every addition, whatever
// the order of the flags on the command line.
func (o configOptions) apply(cfg *ispec.ImageConfig, meta *mutate.Meta, annotations *map[string]string) {
	o.applyClear(cfg, annotations)
	setString(&cfg.User, o.user)
	setString(&cfg.WorkingDir, o.workingDir)
	setString(&cfg.StopSignal, o.stopSignal)
	setString(&meta.Author, o.author)
	setString(&meta.OS, o.os)
	setString(&meta.Architecture, o.arch)
	setString(&meta.Variant, o.variant)
	if o.created != nil {
		meta.Created = *o.created
	}
	if o.entrypoint != nil {
		cfg.Entrypoint = slices.Clone(o.entrypoint)
	}
	if o.cmd != nil {
		cfg.Cmd = slices.Clone(o.cmd)
	}
	cfg.ExposedPorts = addToSet(cfg.ExposedPorts, o.exposedPorts)
	cfg.Volumes = addToSet(cfg.Volumes, o.volumes)
	for _, kv := range o.env {
		cfg.Env = setEnv(cfg.Env, kv)
	}
	cfg.Labels = setKeyValues(cfg.Labels, o.labels)
	*annotations = setKeyValues(*annotations, o.annotations)
}

func (o configOptions) applyClear(cfg *ispec.ImageConfig, annotations *map[string]string) {
	for key := range o.clear {
		switch key {
		case "config.labels":
			cfg.Labels = nil
		case "manifest.annotations":
			*annotations = nil
		case "config.exposedports":
			cfg.ExposedPorts = nil
		case "config.env":
			cfg.Env = nil
		case "config.volume":
			cfg.Volumes = nil
		case "config.cmd":
			cfg.Cmd = nil
		case "config.entrypoint":
			cfg.Entrypoint = nil
		}
	}
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// addToSet adds keys to the set m (created when needed).
func addToSet(m map[string]struct{}, keys []string) map[string]struct{} {
	if len(keys) == 0 {
		return m
	}
	if m == nil {
		m = make(map[string]struct{}, len(keys))
	}
	for _, k := range keys {
		m[k] = struct{}{}
	}
	return m
}

// setKeyValues sets every kv in m (created when needed).
func setKeyValues(m map[string]string, kvs []keyValue) map[string]string {
	if len(kvs) == 0 {
		return m
	}
	if m == nil {
		m = make(map[string]string, len(kvs))
	}
	for _, kv := range kvs {
		m[kv.key] = kv.value
	}
	return m
}

// setEnv replaces the first entry of env named kv.key in place, or appends
// one.
func setEnv(env []string, kv keyValue) []string {
	entry := kv.key + "=" + kv.value
	for i, e := range env {
		if name, _, _ := strings.Cut(e, "="); name == kv.key {
			env[i] = entry
			return env
		}
	}
	return append(env, entry)
}
