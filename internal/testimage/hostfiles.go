package testimage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// hostLayer collects the entries of one layer from directories of this
// machine, in lexical walk order with the files' own modes, owners and
// whole-second mtimes, so that the same files always give the same layer.
// Regular files are taken until the layer holds budget bytes; later ones
// are left out (directories and symlinks are still taken).
type hostLayer struct {
	entries []Entry
	files   []string          // regular files, in order (in-image paths)
	dirs    []string          // directories, in order
	seen    map[string]bool   // in-image directories already emitted
	inodes  map[[2]uint64]int // first entry of a multi-link inode in this layer
	bytes   int64
	budget  int64
	st      *BenchStats
}

func newHostLayer(budget int64, st *BenchStats) *hostLayer {
	return &hostLayer{seen: map[string]bool{}, inodes: map[[2]uint64]int{}, budget: budget, st: st}
}

// addTree adds the tree at the host directory src (and its missing
// ancestors) unless skip says otherwise for a path below it. Unreadable
// directories and special files are left out.
func (l *hostLayer) addTree(src string, skip func(string) bool) error {
	src = filepath.Clean(src)
	if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := l.ancestors(filepath.Dir(src)); err != nil {
		return err
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && p != src {
				return fs.SkipDir
			}
			return err
		}
		if skip != nil && p != src && skip(p) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // gone since listed
		}
		return l.add(p, fi)
	})
}

// ancestors emits the directories on the way to the host directory dir.
func (l *hostLayer) ancestors(dir string) error {
	if dir == "/" || l.seen[strings.TrimPrefix(dir, "/")] {
		return nil
	}
	if err := l.ancestors(filepath.Dir(dir)); err != nil {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("stat %s: %w", dir, err)
	}
	return l.add(dir, fi)
}

// add adds the host file p as the entry of the same path in the image.
func (l *hostLayer) add(p string, fi fs.FileInfo) error {
	name := strings.TrimPrefix(p, "/")
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("stat %s: no unix stat", p)
	}
	e := Entry{Path: name, Mode: int64(fi.Mode().Perm()), UID: int(st.Uid), GID: int(st.Gid),
		ModTime: time.Unix(st.Mtim.Sec, 0).UTC()}
	if fi.Mode()&fs.ModeSetuid != 0 {
		e.Mode |= 0o4000
	}
	if fi.Mode()&fs.ModeSetgid != 0 {
		e.Mode |= 0o2000
	}
	if fi.Mode()&fs.ModeSticky != 0 {
		e.Mode |= 0o1000
	}
	switch {
	case fi.IsDir():
		if l.seen[name] {
			return nil
		}
		l.seen[name] = true
		e.Kind = KindDir
		l.dirs = append(l.dirs, name)
		l.st.Dirs++
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return fmt.Errorf("read symlink: %w", err)
		}
		e.Kind, e.Linkname = KindSymlink, target
		l.st.Symlinks++
	case fi.Mode().IsRegular():
		key := [2]uint64{uint64(st.Dev), st.Ino} //nolint:unconvert // Dev's type varies by arch
		if first, ok := l.inodes[key]; ok && st.Nlink > 1 {
			l.entries = append(l.entries, Hardlink(name, l.entries[first].Path))
			l.st.Hardlinks++
			return nil
		}
		if l.bytes+fi.Size() > l.budget {
			return nil
		}
		if st.Nlink > 1 {
			l.inodes[key] = len(l.entries)
		}
		e.Kind, e.Size, e.Source = KindFile, fi.Size(), hostSource(p, fi.Size())
		l.bytes += fi.Size()
		l.files = append(l.files, name)
		l.st.Files++
		l.st.FileBytes += fi.Size()
		l.st.LargestFile = max(l.st.LargestFile, fi.Size())
	default:
		return nil // sockets, devices, FIFOs
	}
	l.entries = append(l.entries, e)
	return nil
}

// hardlinks adds a hardlink "<file>.hardlink" next to every nth regular
// file of the layer.
func (l *hostLayer) hardlinks(every int) {
	for i := every - 1; i < len(l.files); i += every {
		l.entries = append(l.entries, Hardlink(l.files[i]+".hardlink", l.files[i]))
		l.st.Hardlinks++
	}
}

// hostSource returns an Entry.Source reading the host file p, which must
// still be size bytes long.
func hostSource(p string, size int64) func() io.Reader {
	return func() io.Reader { return &hostFile{path: p, left: size} }
}

// hostFile reads a host file, opened on the first Read and closed at its
// end; a file that shrank since it was listed fails the layer.
type hostFile struct {
	path string
	f    *os.File
	left int64
}

func (h *hostFile) Read(p []byte) (int, error) {
	if h.left == 0 {
		if h.f != nil {
			_ = h.f.Close()
			h.f = nil
		}
		return 0, io.EOF
	}
	if h.f == nil {
		f, err := os.Open(h.path)
		if err != nil {
			return 0, fmt.Errorf("open source file: %w", err)
		}
		h.f = f
	}
	if int64(len(p)) > h.left {
		p = p[:h.left]
	}
	n, err := h.f.Read(p)
	h.left -= int64(n)
	if errors.Is(err, io.EOF) && h.left > 0 {
		_ = h.f.Close()
		h.f = nil
		return n, fmt.Errorf("read %s: %w (it changed while the image was written; run again)", h.path, io.ErrUnexpectedEOF)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, fmt.Errorf("read %s: %w", h.path, err)
	}
	return n, nil
}

// inImage reports whether the in-image path p is dir or below it.
func inImage(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/")
}

// pick returns every nth element of s starting at offset, at most max of them.
func pick(s []string, every, offset, limit int) []string {
	var out []string
	for i := offset; i < len(s) && len(out) < limit; i += every {
		out = append(out, s[i])
	}
	return out
}

// hostPath turns an in-image path into the host path it came from.
func hostPath(name string) string { return "/" + path.Clean(name) }
