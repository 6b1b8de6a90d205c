package testimage

import (
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Small returns a three-layer image for CLI tests. Layer 1 (gzip) lays out
// a base tree with a setuid file, a 1000:1000 owned home, relative and
// absolute symlinks and a hardlink pair; layer 2 (gzip) edits etc/hostname,
// whites out opt/app/old.txt and the opt/tmp directory, and makes opt/lib
// opaque (only opt/lib/c remains); layer 3 (uncompressed) adds
// usr/bin/hello3 as a hardlink of usr/bin/hello. No xattrs, no volumes.
//
// Final tree highlights: etc/hostname = "small-v2\n", usr/bin/hello (0755)
// with hardlinks hello2 and hello3, usr/bin/hi -> hello, etc/alias ->
// /etc/hostname, opt/lib/c only, no opt/app/old.txt, no opt/tmp.
func Small() *Builder {
	t1 := time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC)
	b := New()
	b.Config = ispec.ImageConfig{
		Env:        []string{"PATH=/usr/bin:/bin", "SMALL=1"},
		Cmd:        []string{"/usr/bin/hello"},
		WorkingDir: "/opt/app",
		Labels:     map[string]string{"org.example.kind": "small"},
	}
	b.AddLayer(Gzip, "small base",
		Dir("etc", 0o755),
		File("etc/hostname", "small\n", 0o644),
		File("etc/os-release", "ID=small\nVERSION_ID=1\n", 0o644),
		Symlink("etc/alias", "/etc/hostname"),
		Dir("usr/bin", 0o755),
		File("usr/bin/hello", "#!/bin/sh\necho hello\n", 0o755),
		Hardlink("usr/bin/hello2", "usr/bin/hello"),
		Symlink("usr/bin/hi", "hello"),
		File("usr/bin/su", "not really su\n", 0o4755),
		Dir("home/user", 0o750).Owned(1000, 1000),
		File("home/user/notes", "mine\n", 0o600).Owned(1000, 1000).At(t1),
		Dir("opt/app", 0o755),
		File("opt/app/config.txt", "a=1\n", 0o644),
		File("opt/app/old.txt", "old\n", 0o644),
		Dir("opt/lib", 0o755),
		File("opt/lib/a", "a\n", 0o644),
		File("opt/lib/b", "b\n", 0o644),
		Dir("opt/tmp/sub", 0o755),
		File("opt/tmp/sub/f", "tmp\n", 0o644),
		Dir("tmp", 0o1777),
	)
	b.AddLayer(Gzip, "small update",
		File("etc/hostname", "small-v2\n", 0o644).At(t1),
		Whiteout("opt/app/old.txt"),
		Whiteout("opt/tmp"),
		Opaque("opt/lib"),
		File("opt/lib/c", "c\n", 0o644),
	)
	b.AddLayer(None, "small hardlink",
		Hardlink("usr/bin/hello3", "usr/bin/hello"),
	)
	return b
}
