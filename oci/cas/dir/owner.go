package dir

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// owner is the uid/gid that files created in a layout are given. It is only
// set when lade runs as root (euid 0): an unprivileged user cannot chown,
// and creates files as itself anyway.
type owner struct {
	uid, gid int
	set      bool
}

// ownerOf returns the owner of path when running as root, else an unset owner.
func ownerOf(path string) (owner, error) {
	if os.Geteuid() != 0 {
		return owner{}, nil
	}
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return owner{}, fmt.Errorf("stat %s: %w", path, err)
	}
	return owner{uid: int(st.Uid), gid: int(st.Gid), set: true}, nil
}

// chown gives path (not following a final symlink) to o, if o is set.
func (o owner) chown(path string) error {
	if !o.set {
		return nil
	}
	if err := os.Lchown(path, o.uid, o.gid); err != nil {
		return fmt.Errorf("chown %s: %w", path, err)
	}
	return nil
}

// fchown gives the open file f to o, if o is set.
func (o owner) fchown(f *os.File) error {
	if !o.set {
		return nil
	}
	if err := f.Chown(o.uid, o.gid); err != nil {
		return fmt.Errorf("chown %s: %w", f.Name(), err)
	}
	return nil
}
