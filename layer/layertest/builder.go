package layertest

import (
	"archive/tar"
	"bytes"
	"testing"
	"time"
)

// Epoch is the default modification time of built entries.
var Epoch = time.Unix(1_600_000_000, 0)

// ModeNone asks for permission bits 0 (a zero Mode means "default").
const ModeNone int64 = -1

// Entry describes one tar entry. Zero fields get defaults: Mode 0644 for
// files, 0755 for directories, 0777 for symlinks (use ModeNone for 0);
// ModTime Epoch.
type Entry struct {
	Type       byte // tar.TypeReg, TypeDir, TypeSymlink, TypeLink, TypeChar, TypeBlock, TypeFifo, ...
	Name       string
	Content    string
	Mode       int64
	UID, GID   int
	Link       string // symlink or hardlink target
	Xattrs     map[string]string
	ModTime    time.Time
	AccessTime time.Time
	Major      int64
	Minor      int64
	// Size overrides the header size (to build entries whose content does
	// not match); 0 means len(Content).
	Size int64
}

// File is a regular file entry.
func File(name, content string) Entry { return Entry{Type: tar.TypeReg, Name: name, Content: content} }

// Dir is a directory entry.
func Dir(name string) Entry { return Entry{Type: tar.TypeDir, Name: name} }

// Symlink is a symbolic link entry name -> target.
func Symlink(name, target string) Entry {
	return Entry{Type: tar.TypeSymlink, Name: name, Link: target}
}

// Hardlink is a hard link entry name => target.
func Hardlink(name, target string) Entry { return Entry{Type: tar.TypeLink, Name: name, Link: target} }

// Whiteout is an empty regular file entry, as whiteouts are written.
func Whiteout(name string) Entry { return File(name, "") }

// Header returns the tar header for e.
func (e Entry) Header() *tar.Header {
	hdr := &tar.Header{
		Typeflag: e.Type, Name: e.Name, Linkname: e.Link, Mode: e.Mode,
		Uid: e.UID, Gid: e.GID, ModTime: e.ModTime, AccessTime: e.AccessTime,
		Devmajor: e.Major, Devminor: e.Minor, Format: tar.FormatPAX,
	}
	if hdr.ModTime.IsZero() {
		hdr.ModTime = Epoch
	}
	if hdr.Mode == ModeNone {
		hdr.Mode = 0
	} else if hdr.Mode == 0 {
		switch e.Type {
		case tar.TypeDir:
			hdr.Mode = 0o755
		case tar.TypeSymlink:
			hdr.Mode = 0o777
		default:
			hdr.Mode = 0o644
		}
	}
	if e.Type == tar.TypeReg {
		hdr.Size = int64(len(e.Content))
		if e.Size != 0 {
			hdr.Size = e.Size
		}
	}
	for k, v := range e.Xattrs {
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords["SCHILY.xattr."+k] = v
	}
	return hdr
}

// Tar returns the tar stream of entries. Content beyond a smaller Size
// override is dropped; a larger Size leaves the stream truncated (the
// writer's error is ignored so such streams can be built).
func Tar(tb testing.TB, entries ...Entry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := e.Header()
		if err := tw.WriteHeader(hdr); err != nil {
			tb.Fatalf("layertest: write header %q: %v", e.Name, err)
		}
		if hdr.Typeflag == tar.TypeReg && len(e.Content) > 0 {
			c := e.Content
			if int64(len(c)) > hdr.Size {
				c = c[:hdr.Size]
			}
			if _, err := tw.Write([]byte(c)); err != nil {
				tb.Fatalf("layertest: write %q: %v", e.Name, err)
			}
		}
		if hdr.Size > int64(len(e.Content)) {
			return buf.Bytes() // deliberately truncated
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatalf("layertest: close: %v", err)
	}
	return buf.Bytes()
}
