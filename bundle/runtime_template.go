package bundle

import (
	"strings"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// defaultCaps is the capability set given to every set of the template
// process (umoci-behaviour.md §4, template).
var defaultCaps = []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}

// ociVersion is the runtime-spec version compiled in, with any "-dev"
// suffix stripped, as umoci writes it.
var ociVersion = strings.TrimSuffix(rspec.Version, "-dev")

// templateSpec returns a fresh copy of umoci's built-in runtime-spec
// template, which the conversion then mutates.
func templateSpec() *rspec.Spec {
	caps := func() []string { return append([]string(nil), defaultCaps...) }
	return &rspec.Spec{
		Version: ociVersion,
		Root:    &rspec.Root{Path: "rootfs"},
		Process: &rspec.Process{
			Terminal: true,
			User:     rspec.User{UID: 0, GID: 0},
			Args:     []string{"sh"},
			Env: []string{
				"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				"TERM=xterm",
			},
			Cwd:             "/",
			NoNewPrivileges: true,
			Capabilities: &rspec.LinuxCapabilities{
				Bounding:    caps(),
				Effective:   caps(),
				Inheritable: caps(),
				Permitted:   caps(),
				Ambient:     caps(),
			},
			Rlimits: []rspec.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024}},
		},
		Hostname: "umoci-default",
		Mounts: []rspec.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs",
				Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
			{Destination: "/dev/pts", Type: "devpts", Source: "devpts",
				Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
			{Destination: "/dev/shm", Type: "tmpfs", Source: "shm",
				Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
			{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue",
				Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/sys", Type: "sysfs", Source: "sysfs",
				Options: []string{"nosuid", "noexec", "nodev", "ro"}},
			{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
				Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"}},
		},
		Linux: &rspec.Linux{
			MaskedPaths: []string{
				"/proc/kcore", "/proc/latency_stats", "/proc/timer_list",
				"/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
			},
			ReadonlyPaths: []string{
				"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
			},
			Resources: &rspec.LinuxResources{
				Devices: []rspec.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
			},
			Namespaces: []rspec.LinuxNamespace{
				{Type: rspec.CgroupNamespace},
				{Type: rspec.PIDNamespace},
				{Type: rspec.NetworkNamespace},
				{Type: rspec.IPCNamespace},
				{Type: rspec.UTSNamespace},
				{Type: rspec.MountNamespace},
			},
		},
	}
}
