package bundle

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	rspec "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/lade-oci/lade/layer"
)

// ConfigOptions tunes the image config → runtime-spec conversion.
type ConfigOptions struct {
	// MapOptions adds a user namespace with the given id maps, and applies
	// the rootless changes when Rootless is set (umoci-behaviour.md §4
	// steps 12-13).
	MapOptions layer.MapOptions
}

// ErrUnsupportedOS is returned when the image is not a Linux image.
var ErrUnsupportedOS = errors.New("unsupported OS")

// Annotation keys generated from the image config (§4 step 7).
const (
	annotOS           = "org.opencontainers.image.os"
	annotArch         = "org.opencontainers.image.architecture"
	annotVariant      = "org.opencontainers.image.variant"
	annotAuthor       = "org.opencontainers.image.author"
	annotCreated      = "org.opencontainers.image.created"
	annotStopSignal   = "org.opencontainers.image.stopSignal"
	annotExposedPorts = "org.opencontainers.image.exposedPorts"
)

// RuntimeConfig converts an image configuration into the runtime-spec
// config.json umoci writes for it (umoci-behaviour.md §4). rootfs is the
// host path of the unpacked root filesystem: the user is resolved against
// its etc/passwd and etc/group (never reading outside it), and root.path is
// its basename. An empty rootfs gives root.path "." and resolves only
// numeric users (others fall back to 0:0 with a warning, §2.14).
func RuntimeConfig(ctx context.Context, img ispec.Image, rootfs string, opts ConfigOptions) (*rspec.Spec, error) {
	if img.OS != "linux" {
		return nil, fmt.Errorf("convert image config: %w: %q", ErrUnsupportedOS, img.OS)
	}
	// Step 2 (template version compatibility) holds by construction: the
	// template is built from the runtime-spec version compiled in.
	spec := templateSpec()
	ic := img.Config

	spec.Process.Terminal = true
	spec.Root.Path = "."
	if rootfs != "" {
		spec.Root.Path = filepath.Base(rootfs)
	}
	spec.Root.Readonly = false

	spec.Process.Cwd = "/"
	if ic.WorkingDir != "" {
		spec.Process.Cwd = ic.WorkingDir
	}

	for _, kv := range ic.Env {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("convert image config: parse env %q: expected NAME=VALUE", kv)
		}
		spec.Process.Env = setEnv(spec.Process.Env, kv)
	}

	if args := slices.Concat(ic.Entrypoint, ic.Cmd); len(args) > 0 {
		spec.Process.Args = args
	}

	spec.Annotations = configAnnotations(img)

	if err := applyUser(ctx, spec, ic.User, rootfs); err != nil {
		return nil, fmt.Errorf("convert image config: %w", err)
	}

	for _, vol := range slices.Sorted(maps.Keys(ic.Volumes)) {
		spec.Mounts = append(spec.Mounts, rspec.Mount{
			Destination: vol,
			Type:        "tmpfs",
			Source:      "none",
			Options:     []string{"rw", "nosuid", "nodev", "noexec", "relatime"},
		})
	}

	spec.Linux.Seccomp = nil
	applyIDMaps(spec, opts.MapOptions)
	if opts.MapOptions.Rootless {
		if err := toRootless(spec); err != nil {
			return nil, fmt.Errorf("convert image config: %w", err)
		}
	}
	return spec, nil
}

// setEnv replaces the variable named like kv in place, or appends kv.
func setEnv(env []string, kv string) []string {
	name, _, _ := strings.Cut(kv, "=")
	for i, old := range env {
		if oldName, _, _ := strings.Cut(old, "="); oldName == name {
			env[i] = kv
			return env
		}
	}
	return append(env, kv)
}

// hasEnv reports whether env defines the variable name.
func hasEnv(env []string, name string) bool {
	for _, kv := range env {
		if n, _, _ := strings.Cut(kv, "="); n == name {
			return true
		}
	}
	return false
}

// configAnnotations builds the generated annotations, then copies every
// label over them: labels win (umoci ≥ 0.6.0).
func configAnnotations(img ispec.Image) map[string]string {
	var created time.Time
	if img.Created != nil {
		created = *img.Created
	}
	ports := slices.Sorted(maps.Keys(img.Config.ExposedPorts))
	generated := map[string]string{
		annotOS:           img.OS,
		annotArch:         img.Architecture,
		annotVariant:      img.Variant,
		annotAuthor:       img.Author,
		annotStopSignal:   img.Config.StopSignal,
		annotExposedPorts: strings.Join(ports, ","),
	}
	annotations := map[string]string{annotCreated: created.Format(time.RFC3339Nano)}
	for k, v := range generated {
		if v != "" {
			annotations[k] = v
		}
	}
	for k, v := range img.Config.Labels {
		annotations[k] = v
	}
	return annotations
}
