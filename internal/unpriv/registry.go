package unpriv

import (
	"os"
	"sync"
)

// granted tracks the paths this process has opened up and not yet put
// back, shared by every goroutine: parallel walkers and hashers reach the
// same locked directory at once, and one of them restoring its mode while
// another is still inside would make the other fail. A path is restored
// only when its last user is done.
var granted = struct {
	sync.Mutex
	m map[string]*grantEntry
}{m: map[string]*grantEntry{}}

type grantEntry struct {
	mode os.FileMode // the original mode, restored by the last user
	refs int
}

// acquire lstats path and, when accept(fi) holds, makes path have at least
// the want owner bits, taking a reference that release drops. taken
// reports whether a reference was taken: false when path already had the
// bits (and no other goroutine holds it), accept refused it, or the chmod
// failed. The lstat happens under the lock, so it never sees another
// goroutine's grant half undone.
func acquire(path string, want os.FileMode, accept func(os.FileInfo) bool) (fi os.FileInfo, taken bool, err error) {
	granted.Lock()
	defer granted.Unlock()
	if fi, err = os.Lstat(path); err != nil || !accept(fi) {
		return fi, false, err
	}
	if e, ok := granted.m[path]; ok {
		e.refs++
		return fi, true, nil
	}
	if fi.Mode().Perm()&want == want {
		return fi, false, nil
	}
	if os.Chmod(path, fi.Mode().Perm()|want|(fi.Mode()&specialBits)) != nil {
		return fi, false, nil
	}
	granted.m[path] = &grantEntry{mode: fi.Mode(), refs: 1}
	return fi, true, nil
}

// release drops a reference taken by acquire, restoring the original mode
// with the last one.
func release(path string) {
	granted.Lock()
	defer granted.Unlock()
	e, ok := granted.m[path]
	if !ok {
		return
	}
	if e.refs--; e.refs > 0 {
		return
	}
	delete(granted.m, path)
	_ = os.Chmod(path, e.mode&(os.ModePerm|specialBits))
}
