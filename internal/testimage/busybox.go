package testimage

import (
	"fmt"
	"os"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BusyboxApplets are the applets linked as bin/<applet> -> busybox.
var BusyboxApplets = []string{
	"cat", "chmod", "cp", "date", "echo", "env", "false", "find", "grep", "head",
	"hostname", "id", "ls", "mkdir", "mv", "ps", "pwd", "rm", "sed", "sh",
	"sleep", "stat", "tail", "test", "touch", "true", "uname", "wc", "whoami",
}

// BusyboxCmd is the default command of the busybox image; its output is
// BusyboxOutput on Linux.
var BusyboxCmd = []string{"sh", "-c", "echo hello from lade; uname -s"}

// BusyboxOutput is what BusyboxCmd prints.
const BusyboxOutput = "hello from lade\nLinux\n"

// Busybox returns a one-layer runnable image around the static busybox
// binary at binPath (Debian's busybox-static installs it as /bin/busybox).
// Times are fixed, so the digests only depend on the binary.
func Busybox(binPath string) (*Builder, error) {
	bin, err := os.ReadFile(binPath)
	if err != nil {
		return nil, fmt.Errorf("read busybox binary: %w", err)
	}
	entries := []Entry{
		Dir("bin", 0o755),
		File("bin/busybox", string(bin), 0o755),
	}
	for _, a := range BusyboxApplets {
		entries = append(entries, Symlink("bin/"+a, "busybox"))
	}
	entries = append(entries,
		Dir("dev", 0o755), Dir("etc", 0o755),
		File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n", 0o644),
		File("etc/group", "root:x:0:\nnobody:x:65534:\n", 0o644),
		File("etc/hostname", "lade-demo\n", 0o644),
		Dir("proc", 0o555), Dir("root", 0o700), Dir("sys", 0o555),
		Dir("tmp", 0o1777), Dir("usr", 0o755), Symlink("usr/bin", "../bin"),
	)
	b := New()
	b.Config = ispec.ImageConfig{
		Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		Cmd:        BusyboxCmd,
		WorkingDir: "/",
		Labels:     map[string]string{"org.opencontainers.image.title": "lade busybox demo"},
	}
	b.Layers = []Layer{{
		Entries:     entries,
		Compression: Gzip,
		History:     ispec.History{CreatedBy: "testimage busybox " + binPath},
	}}
	return b, nil
}
