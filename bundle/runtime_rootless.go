package bundle

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/lade-oci/lade/layer"
)

// hostResolvConf is the host file bind-mounted into rootless containers; a
// variable so tests can point it at a missing or custom file.
var hostResolvConf = "/etc/resolv.conf"

// resolvConfFlags returns the statfs mount flags of the host resolv.conf;
// a variable so tests get deterministic flags.
var resolvConfFlags = func(path string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, err
	}
	return int64(st.Flags), nil
}

// applyIDMaps sets the user namespace and id maps when any map is given
// (§4 step 12).
func applyIDMaps(spec *rspec.Spec, m layer.MapOptions) {
	if len(m.UIDMappings) == 0 && len(m.GIDMappings) == 0 {
		return
	}
	setNamespace(spec, rspec.UserNamespace)
	spec.Linux.UIDMappings = slices.Clone(m.UIDMappings)
	spec.Linux.GIDMappings = slices.Clone(m.GIDMappings)
}

// setNamespace (re)adds a namespace of type t at the end of the list.
func setNamespace(spec *rspec.Spec, t rspec.LinuxNamespaceType) {
	removeNamespace(spec, t)
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, rspec.LinuxNamespace{Type: t})
}

func removeNamespace(spec *rspec.Spec, t rspec.LinuxNamespaceType) {
	spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns rspec.LinuxNamespace) bool {
		return ns.Type == t
	})
}

// toRootless applies §4 step 13. Unlike umoci (§7 item 7) the filtered
// mount list is kept even when the host has no /etc/resolv.conf.
func toRootless(spec *rspec.Spec) error {
	spec.Process.User.AdditionalGids = nil
	removeNamespace(spec, rspec.NetworkNamespace)
	setNamespace(spec, rspec.UserNamespace)

	var mounts []rspec.Mount
	for _, m := range spec.Mounts {
		dest := path.Clean("/" + m.Destination)
		if dest == "/sys" || strings.HasPrefix(dest, "/sys/") {
			continue
		}
		m.Options = slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool {
			return strings.HasPrefix(o, "uid=") || strings.HasPrefix(o, "gid=")
		})
		mounts = append(mounts, m)
	}
	mounts = append(mounts, rspec.Mount{
		Destination: "/sys",
		Type:        "bind",
		Source:      "/sys",
		Options:     []string{"rbind", "nosuid", "noexec", "nodev", "ro"},
	})

	flags, err := resolvConfFlags(hostResolvConf)
	switch {
	case err == nil:
		opts := []string{"rbind", "ro"}
		for _, f := range lockedFlags {
			if flags&f.flag != 0 && !slices.Contains(opts, f.name) {
				opts = append(opts, f.name)
			}
		}
		mounts = append(mounts, rspec.Mount{
			Destination: "/etc/resolv.conf",
			Type:        "bind",
			Source:      hostResolvConf,
			Options:     opts,
		})
	case errors.Is(err, fs.ErrNotExist):
		// No host resolv.conf: nothing to bind.
	default:
		return fmt.Errorf("statfs %s: %w", hostResolvConf, err)
	}
	spec.Mounts = mounts
	spec.Linux.Resources = nil
	return nil
}

// lockedFlags are the mount flags a user namespace cannot clear on a bind
// mount, so they must be repeated on the resolv.conf bind.
var lockedFlags = []struct {
	flag int64
	name string
}{
	{unix.ST_RDONLY, "ro"},
	{unix.ST_NODEV, "nodev"},
	{unix.ST_NOEXEC, "noexec"},
	{unix.ST_NOSUID, "nosuid"},
	{unix.ST_NOATIME, "noatime"},
	{unix.ST_RELATIME, "relatime"},
	{unix.ST_NODIRATIME, "nodiratime"},
}
