package layer

import (
	"archive/tar"
	"fmt"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// generateInodeInfo is what hardlink detection needs from a stat.
type generateInodeInfo struct {
	key   generateInode
	nlink uint64
}

// header builds the tar header of the file at hostPath, archived under
// clean name: type, permission bits, size, link target, device numbers,
// whole-second (clamped) times, mapped owners and xattrs. User and group
// names are left blank.
func (g *generateWriter) header(name, hostPath string) (*tar.Header, generateInodeInfo, error) {
	fi, err := g.opts.FsEval.Lstat(hostPath)
	if err != nil {
		return nil, generateInodeInfo{}, fmt.Errorf("stat %s: %w", name, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, generateInodeInfo{}, fmt.Errorf("stat %s: no unix stat data", name)
	}
	hdr := &tar.Header{
		Name:       generateTarName(name, fi.IsDir()),
		Mode:       int64(st.Mode & 0o7777),
		ModTime:    g.clampTime(time.Unix(st.Mtim.Unix())),
		AccessTime: g.clampTime(time.Unix(st.Atim.Unix())),
		ChangeTime: g.clampTime(time.Unix(st.Ctim.Unix())),
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		hdr.Typeflag, hdr.Size = tar.TypeReg, st.Size
	case unix.S_IFDIR:
		hdr.Typeflag = tar.TypeDir
	case unix.S_IFLNK:
		hdr.Typeflag = tar.TypeSymlink
		if hdr.Linkname, err = g.opts.FsEval.Readlink(hostPath); err != nil {
			return nil, generateInodeInfo{}, fmt.Errorf("read link %s: %w", name, err)
		}
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil, generateInodeInfo{}, fmt.Errorf("archive %s: unsupported file type %s", name, fi.Mode().Type())
	}
	owner, err := g.xattrs(hdr, hostPath)
	if err != nil {
		return nil, generateInodeInfo{}, err
	}
	if err := g.owners(hdr, st.Uid, st.Gid, owner); err != nil {
		return nil, generateInodeInfo{}, err
	}
	ino := generateInodeInfo{key: generateInode{dev: st.Dev, ino: st.Ino}, nlink: st.Nlink}
	return hdr, ino, nil
}

// clampTime truncates t to whole seconds (callers pass whole seconds) and
// clamps it to SOURCE_DATE_EPOCH when it is newer.
func (g *generateWriter) clampTime(t time.Time) time.Time {
	t = time.Unix(t.Unix(), 0)
	if sde := g.opts.SourceDateEpoch; sde != nil && t.After(*sde) {
		return time.Unix(sde.Unix(), 0)
	}
	return t
}
