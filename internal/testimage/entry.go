package testimage

import (
	"io"
	"path"
	"time"
)

// Kind is the type of a tar entry in a layer.
type Kind int

// The kinds of entries a layer can hold.
const (
	KindFile     Kind = iota // regular file (Content or Source)
	KindDir                  // directory
	KindSymlink              // symbolic link to Linkname
	KindHardlink             // hard link to the earlier entry Linkname
	KindWhiteout             // removes Path from lower layers (written as dir/.wh.base)
	KindOpaque               // hides the lower contents of directory Path (dir/.wh..wh..opq)
)

// Epoch is the default modification time of entries whose ModTime is zero.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Entry is one tar entry of a layer. Path is relative to the image root
// ("etc/passwd"; a leading "/" is removed). Mode holds permission and
// setuid/setgid/sticky bits only; zero means the usual default for the kind
// (0o644 files, 0o755 directories, 0o777 symlinks).
type Entry struct {
	Kind     Kind
	Path     string
	Linkname string // symlink target, or the path of the hardlink's target entry
	Mode     int64
	UID, GID int
	ModTime  time.Time

	// Content is a regular file's data. When it is nil and Source is set,
	// Source is called once while the layer is written and must yield
	// exactly Size bytes (for large generated files).
	Content []byte
	Source  func() io.Reader
	Size    int64
}

// File returns a regular file entry.
func File(p, content string, mode int64) Entry {
	return Entry{Kind: KindFile, Path: p, Content: []byte(content), Mode: mode}
}

// Dir returns a directory entry.
func Dir(p string, mode int64) Entry {
	return Entry{Kind: KindDir, Path: p, Mode: mode}
}

// Symlink returns a symlink entry p -> target.
func Symlink(p, target string) Entry {
	return Entry{Kind: KindSymlink, Path: p, Linkname: target}
}

// Hardlink returns a hardlink entry p to the earlier entry target.
func Hardlink(p, target string) Entry {
	return Entry{Kind: KindHardlink, Path: p, Linkname: target}
}

// Whiteout returns an entry removing p from lower layers.
func Whiteout(p string) Entry {
	return Entry{Kind: KindWhiteout, Path: p}
}

// Opaque returns an entry hiding the lower-layer contents of directory dir.
func Opaque(dir string) Entry {
	return Entry{Kind: KindOpaque, Path: dir}
}

// Owned returns e with its owner set to uid:gid.
func (e Entry) Owned(uid, gid int) Entry {
	e.UID, e.GID = uid, gid
	return e
}

// At returns e with its modification time set to t.
func (e Entry) At(t time.Time) Entry {
	e.ModTime = t
	return e
}

// cleanPath turns an entry path into a clean relative tar name ("." for the root).
func cleanPath(p string) string {
	c := path.Clean("/" + p)
	if c == "/" {
		return "."
	}
	return c[1:]
}
