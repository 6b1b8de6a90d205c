package layer

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/lade-oci/lade/internal/pathsafe"
	"github.com/lade-oci/lade/internal/system"
	"golang.org/x/sys/unix"
)

// create runs mk at p; if something is already there it is removed (a
// directory recursively) and mk runs once more.
func (u *unpacker) create(p string, mk func(host string) error) error {
	err := mk(u.host(p))
	if errors.Is(err, fs.ErrExist) {
		if err := u.remove(p); err != nil {
			return err
		}
		err = mk(u.host(p))
	}
	return err
}

// extractFile writes a regular file, recording its digest when digests are
// wanted (the parser hashed it). Sparse entries are written with holes
// (see unpack_sparse.go).
func (u *unpacker) extractFile(p string, hdr *tar.Header, content *contentStream) error {
	meta, err := u.metadata(hdr)
	if err != nil {
		return err
	}
	sparse := isSparse(hdr)
	if sparse {
		if err := u.reserveSparse(hdr); err != nil {
			return err
		}
	}
	var f *system.File
	err = u.create(p, func(h string) (err error) {
		f, err = u.fs.CreateExcl(h, u.createPerm(meta))
		return err
	})
	if err != nil {
		return err
	}
	err = u.writeFile(f, hdr, content, meta, sparse)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (u *unpacker) writeFile(f *system.File, hdr *tar.Header, content *contentStream, meta *entryMeta, sparse bool) error {
	var n int64
	var err error
	switch {
	case sparse:
		n, err = u.copySparse(f, content)
	case hdr.Size >= denseHoleBlock:
		n, err = u.copyHoles(f, content, denseHoleBlock, false)
	default:
		n, err = copyDense(f, content)
	}
	if err != nil {
		return err
	}
	if n != hdr.Size {
		return fmt.Errorf("write %s: content is %d bytes, header says %d", hdr.Name, n, hdr.Size)
	}
	st, err := u.applyFd(f, meta)
	if err != nil {
		return err
	}
	if u.opts.Digests != nil {
		d := content.digest()
		if d == "" {
			return fmt.Errorf("write %s: content was not hashed", hdr.Name)
		}
		u.opts.Digests.Record(st.Ino, n, d)
	}
	return nil
}

// copyDense copies content to f and returns its size.
func copyDense(f *system.File, content *contentStream) (int64, error) {
	var n int64
	for {
		b, rerr := content.next()
		if len(b) > 0 {
			if _, err := f.Write(b); err != nil {
				return n, err
			}
			n += int64(len(b))
		}
		if errors.Is(rerr, io.EOF) {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// extractDir creates (or keeps) a directory. Mode and times are deferred to
// the end of the layer so later entries can still write into it.
func (u *unpacker) extractDir(p string, hdr *tar.Header) error {
	meta, err := u.metadata(hdr)
	if err != nil {
		return err
	}
	existed := false
	err = u.fs.Mkdir(u.host(p), 0o755)
	if errors.Is(err, fs.ErrExist) {
		if p, existed, err = u.existingDir(p); err != nil {
			return err
		}
		if !existed {
			err = u.fs.Mkdir(u.host(p), 0o755)
		}
	}
	if err != nil {
		return fmt.Errorf("create directory %s: %w", p, err)
	}
	st := u.dirs[p]
	if st == nil {
		st = &dirState{}
		u.dirs[p] = st
	}
	st.entry, st.mode, st.atime, st.mtime = true, meta.mode, meta.atime, meta.mtime
	if existed || len(meta.xattrs) > 0 {
		// Files being written below may take the directory's xattrs (a
		// default ACL) when they are created: as in order, let them be
		// created first.
		if err := u.writers.waitUnder(p); err != nil {
			return err
		}
	}
	return u.applyPath(p, meta, applyDir, existed)
}

// existingDir decides what to do with the thing at p that blocks a mkdir:
// a directory is kept, a symlink to an in-root directory is kept (and
// resolved) under KeepDirlinks, anything else is removed (keep=false). A
// symlink that loops is no dirlink: it is replaced by the directory, as
// umoci does.
func (u *unpacker) existingDir(p string) (string, bool, error) {
	fi, err := u.fs.Lstat(u.host(p))
	if err != nil {
		return p, false, fmt.Errorf("lstat %s: %w", p, err)
	}
	if fi.IsDir() {
		return p, true, nil
	}
	if fi.Mode()&fs.ModeSymlink != 0 && u.opts.KeepDirlinks {
		t, err := pathsafe.Resolve(u.root, p, u.fs)
		if errors.Is(err, unix.ELOOP) {
			return p, false, u.remove(p)
		}
		if err != nil {
			return p, false, err
		}
		if ti, err := u.fs.Lstat(u.host(t)); err == nil && ti.IsDir() {
			u.markUpper(t)
			return t, true, u.ensureDir(t)
		}
	}
	return p, false, u.remove(p)
}

func (u *unpacker) extractSymlink(p string, hdr *tar.Header) error {
	meta, err := u.metadata(hdr)
	if err != nil {
		return err
	}
	err = u.create(p, func(h string) error { return u.fs.Symlink(hdr.Linkname, h) })
	if err != nil {
		return fmt.Errorf("create symlink %s: %w", p, err)
	}
	return u.applyPath(p, meta, applySymlink, false)
}

// extractHardlink links p to the in-root target; no metadata is applied (it
// is the target's).
func (u *unpacker) extractHardlink(p string, hdr *tar.Header) error {
	tname := pathsafe.Clean(hdr.Linkname)
	if tname == "/" {
		return fmt.Errorf("hardlink to the root directory: %w", ErrBreakout)
	}
	tdir, ok, err := u.lookupDir(path.Dir(tname))
	if err != nil {
		return err
	}
	target := path.Join(tdir, path.Base(tname))
	if !ok {
		return fmt.Errorf("hardlink target %s does not exist", hdr.Linkname)
	}
	fi, err := u.fs.Lstat(u.host(target))
	if err != nil {
		return fmt.Errorf("hardlink target %s: %w", hdr.Linkname, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("hardlink target %s is a directory", hdr.Linkname)
	}
	if target == p {
		return nil // a link to itself: already there
	}
	err = u.create(p, func(h string) error { return u.fs.Link(u.host(target), h) })
	if err != nil {
		return fmt.Errorf("create hardlink %s: %w", p, err)
	}
	return nil
}

// extractNode creates a FIFO or device. Devices become empty mode-0 regular
// files when they cannot be created (rootless, or EPERM in a user namespace).
func (u *unpacker) extractNode(p string, hdr *tar.Header) error {
	meta, err := u.metadata(hdr)
	if err != nil {
		return err
	}
	var kind uint32
	switch hdr.Typeflag {
	case tar.TypeChar:
		kind = unix.S_IFCHR
	case tar.TypeBlock:
		kind = unix.S_IFBLK
	default:
		kind = unix.S_IFIFO
	}
	if hdr.Devmajor < 0 || hdr.Devminor < 0 || hdr.Devmajor > 0xfff || hdr.Devminor > 0xfffff {
		return fmt.Errorf("device number %d:%d out of range", hdr.Devmajor, hdr.Devminor)
	}
	placeholder := kind != unix.S_IFIFO && u.opts.MapOptions.Rootless
	if !placeholder {
		err = u.create(p, func(h string) error {
			return u.fs.Mknod(h, kind|0o600, uint32(hdr.Devmajor), uint32(hdr.Devminor))
		})
		if errors.Is(err, unix.EPERM) && kind != unix.S_IFIFO {
			placeholder = true
		} else if err != nil {
			return fmt.Errorf("create node %s: %w", p, err)
		}
	}
	if placeholder {
		u.warnOnce("device:"+p, "replacing device with an empty placeholder file", "path", p, "type", string(hdr.Typeflag))
		meta.mode = 0
		var f *system.File
		err := u.create(p, func(h string) (err error) { f, err = u.fs.CreateExcl(h, 0o600); return err })
		if err != nil {
			return fmt.Errorf("create placeholder %s: %w", p, err)
		}
		// Through the fd: user.* xattrs need write access, mode 0 has none.
		_, err = u.applyFd(f, meta)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return u.applyPath(p, meta, applyNode, false)
}
