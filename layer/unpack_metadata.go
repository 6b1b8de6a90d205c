package layer

import (
	"archive/tar"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lade-oci/lade/internal/idmap"
	"github.com/lade-oci/lade/internal/rootlesscontainers"
	"github.com/lade-oci/lade/internal/system"
	"golang.org/x/sys/unix"
)

// paxXattrPrefix prefixes PAX records that carry extended attributes.
const paxXattrPrefix = "SCHILY.xattr."

// XattrNeverApplied reports whether an extended attribute is host-specific
// and is never extracted from nor packed into a layer (umoci's list:
// security.selinux and system.nfs4_acl).
func XattrNeverApplied(name string) bool {
	return name == "security.selinux" || name == "system.nfs4_acl"
}

// xattrNamespaceKnown reports whether name is in one of the namespaces Linux
// knows; the kernel refuses others with EOPNOTSUPP, which would otherwise
// read as "the filesystem does not support xattrs".
func xattrNamespaceKnown(name string) bool {
	for _, ns := range []string{"security.", "system.", "trusted.", "user."} {
		if rest, ok := strings.CutPrefix(name, ns); ok {
			return rest != ""
		}
	}
	return false
}

// entryMeta is the metadata of one entry, already mapped to the host.
type entryMeta struct {
	chown    bool // false in rootless mode
	uid, gid int
	mode     uint32 // permission bits incl. setuid/setgid/sticky
	atime    time.Time
	mtime    time.Time
	xattrs   []xattr
}

type xattr struct {
	name  string
	value []byte
}

// metadata maps hdr's owner (container → host, or into the rootless xattr),
// mode, times and filtered xattrs.
func (u *unpacker) metadata(hdr *tar.Header) (*entryMeta, error) {
	if hdr.Uid < 0 || hdr.Gid < 0 || hdr.Uid >= math.MaxUint32 || hdr.Gid >= math.MaxUint32 {
		return nil, fmt.Errorf("owner %d:%d out of range", hdr.Uid, hdr.Gid)
	}
	m := &entryMeta{mode: uint32(hdr.Mode) & 0o7777, mtime: hdr.ModTime, atime: hdr.AccessTime}
	if m.mtime.IsZero() {
		m.mtime = time.Now()
	}
	if m.atime.IsZero() {
		m.atime = m.mtime
	}
	for k, v := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(k, paxXattrPrefix)
		if !ok {
			continue
		}
		switch {
		case !xattrNamespaceKnown(name):
			u.warnOnce("xattr:"+name, "ignoring xattr outside the security, system, trusted and user namespaces", "xattr", name, "path", hdr.Name)
		case XattrNeverApplied(name):
			u.warnOnce("xattr:"+name, "ignoring host-specific xattr in layer", "xattr", name, "path", hdr.Name)
		case name == rootlesscontainers.Xattr && u.opts.MapOptions.Rootless:
			u.warnOnce("xattr:"+name, "ignoring layer-supplied rootless owner xattr", "xattr", name, "path", hdr.Name)
		default:
			m.xattrs = append(m.xattrs, xattr{name: name, value: []byte(v)})
		}
	}
	slices.SortFunc(m.xattrs, func(a, b xattr) int { return strings.Compare(a.name, b.name) })
	mo := u.opts.MapOptions
	if mo.Rootless {
		// Like umoci: record the container owner, 0 meaning "unchanged" (the
		// unpacking user, who is container root); nothing for 0:0.
		res := rootlesscontainers.Resource{UID: rootlesscontainers.NoopID, GID: rootlesscontainers.NoopID}
		if hdr.Uid != 0 {
			res.UID = uint32(hdr.Uid)
		}
		if hdr.Gid != 0 {
			res.GID = uint32(hdr.Gid)
		}
		if hdr.Uid != 0 || hdr.Gid != 0 {
			m.xattrs = append(m.xattrs, xattr{name: rootlesscontainers.Xattr, value: rootlesscontainers.Encode(res)})
		}
		return m, nil
	}
	uid, err := idmap.ToHost(uint32(hdr.Uid), mo.UIDMappings)
	if err != nil {
		return nil, fmt.Errorf("map uid: %w", err)
	}
	gid, err := idmap.ToHost(uint32(hdr.Gid), mo.GIDMappings)
	if err != nil {
		return nil, fmt.Errorf("map gid: %w", err)
	}
	m.chown, m.uid, m.gid = true, int(uid), int(gid)
	return m, nil
}

// chownErr explains the usual cause of EPERM from chown.
func chownErr(p string, err error) error {
	if errors.Is(err, unix.EPERM) {
		return fmt.Errorf("lchown %s: %w (unpacking as an unprivileged user requires --rootless)", p, err)
	}
	return fmt.Errorf("lchown %s: %w", p, err)
}

// xattrErr decides whether a failed setxattr is fatal: ENOTSUP warns once,
// EPERM is ignored in rootless mode and on symlinks (user.* is not allowed
// there).
func (u *unpacker) xattrErr(p, name string, symlink bool, err error) error {
	switch {
	case system.IsXattrUnsupported(err):
		u.warnOnce("enotsup", "xattrs not supported by the filesystem, skipping", "path", p, "xattr", name)
		return nil
	case errors.Is(err, unix.EPERM) && (u.opts.MapOptions.Rootless || symlink):
		u.log.DebugContext(u.ctx, "ignoring xattr not permitted", "path", p, "xattr", name)
		return nil
	}
	return err
}

// createPerm is the mode to create a regular file with before applyFd:
// its final permission bits when applyFd needs no access to the file by
// path permissions (root, no xattrs), so that applyFd usually has no
// chmod to do; else 0600.
func (u *unpacker) createPerm(meta *entryMeta) uint32 {
	if u.euid != 0 || u.opts.MapOptions.Rootless || len(meta.xattrs) > 0 {
		return 0o600
	}
	return meta.mode & 0o777
}

// applyFd applies meta to a freshly written file: owner, xattrs, then mode
// (after chown so setuid/setgid survive), then times. Owner and mode are
// set only where the file's fstat differs. It returns that fstat.
func (u *unpacker) applyFd(f *system.File, meta *entryMeta) (unix.Stat_t, error) {
	st, err := f.Stat()
	if err != nil {
		return st, err
	}
	chowned := false
	if meta.chown && (int(st.Uid) != meta.uid || int(st.Gid) != meta.gid) {
		if err := f.Chown(meta.uid, meta.gid); err != nil {
			return st, chownErr(f.Name(), err)
		}
		chowned = true
	}
	for _, x := range meta.xattrs {
		if err := f.Setxattr(x.name, x.value); err != nil {
			if err := u.xattrErr(f.Name(), x.name, false, err); err != nil {
				return st, err
			}
		}
	}
	// An ACL xattr or a chown may change the mode: set it after either.
	if chowned || len(meta.xattrs) > 0 || st.Mode&0o7777 != meta.mode {
		if err := f.Chmod(meta.mode); err != nil {
			return st, err
		}
	}
	return st, f.SetTimes(meta.atime, meta.mtime)
}

type applyKind int

const (
	applyNode    applyKind = iota // device, FIFO, placeholder: everything now
	applyDir                      // mode and times deferred to finish
	applySymlink                  // no chmod
)

// applyPath applies meta to in-root path p. clear removes xattrs already on
// disk first (for a kept directory).
func (u *unpacker) applyPath(p string, meta *entryMeta, kind applyKind, clear bool) error {
	h := u.host(p)
	if meta.chown {
		if err := u.fs.Lchown(h, meta.uid, meta.gid); err != nil {
			return chownErr(p, err)
		}
	}
	if clear {
		if err := u.clearXattrs(p); err != nil {
			return err
		}
	}
	for _, x := range meta.xattrs {
		if err := u.fs.Lsetxattr(h, x.name, x.value); err != nil {
			if err := u.xattrErr(p, x.name, kind == applySymlink, err); err != nil {
				return err
			}
		}
	}
	switch kind {
	case applyDir:
		return nil
	case applyNode:
		if err := u.fs.Chmod(h, meta.mode); err != nil {
			return err
		}
	}
	return u.fs.Lutimes(h, meta.atime, meta.mtime)
}

// clearXattrs removes the xattrs on p that a layer controls.
func (u *unpacker) clearXattrs(p string) error {
	h := u.host(p)
	names, err := u.fs.Llistxattr(h)
	if err != nil {
		if system.IsXattrUnsupported(err) {
			return nil
		}
		return err
	}
	for _, n := range names {
		if XattrNeverApplied(n) {
			continue
		}
		if err := u.fs.Lremovexattr(h, n); err != nil && !system.IsXattrMissing(err) {
			if err := u.xattrErr(p, n, false, err); err != nil {
				return err
			}
		}
	}
	return nil
}
