package layer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// finish applies deferred directory metadata: the mode and times of the
// layer's directory entries, the saved times of pre-existing directories
// the layer wrote into, and ImplicitDirTime (when set) on the directories
// the layer created implicitly. Deepest first, so a parent losing its
// permissions cannot block its children.
func (u *unpacker) finish() error {
	paths := make([]string, 0, len(u.dirs))
	for p, st := range u.dirs {
		if st.created && !st.entry && u.opts.ImplicitDirTime != nil {
			st.atime, st.mtime, st.saved = *u.opts.ImplicitDirTime, *u.opts.ImplicitDirTime, true
		}
		if st.entry || st.saved {
			paths = append(paths, p)
		}
	}
	slices.SortFunc(paths, func(a, b string) int {
		return cmp.Or(cmp.Compare(depth(b), depth(a)), strings.Compare(a, b))
	})
	for _, p := range paths {
		st, h := u.dirs[p], u.host(p)
		if st.entry {
			if err := u.fs.Chmod(h, st.mode); err != nil {
				return fmt.Errorf("apply directory mode: %w", err)
			}
		}
		if err := u.fs.Lutimes(h, st.atime, st.mtime); err != nil {
			return fmt.Errorf("apply directory times: %w", err)
		}
	}
	return nil
}

func depth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(p, "/")
}
