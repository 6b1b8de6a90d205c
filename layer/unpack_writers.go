package layer

import (
	"archive/tar"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"sync/atomic"
)

// Regular files are written by a few writer goroutines while the applier
// goes on with the next entries: creating, filling and closing a file costs
// several syscalls, and on a journaled filesystem those, not the CPU, bound
// an unpack of many small files. The applier keeps every decision (path
// resolution, whiteouts, directory state) and only hands off the writing
// of a file whose parent directory it knows (in u.dirs) to be real. Before
// it touches a path itself it waits for the writes that path depends on
// (see waitFor), so the tree ends up exactly as a sequential unpack leaves
// it.
const (
	fileWriters   = 3
	writeQueueLen = 32
)

// fileJob is one regular file handed to a writer, or (remove) the removal
// of a lower layer's file or tree.
type fileJob struct {
	p       string // resolved in-root path
	remove  bool
	name    string // entry name, for errors
	hdr     *tar.Header
	meta    *entryMeta
	sparse  bool
	content *contentStream
	done    chan struct{}
	err     error // set before done is closed
}

// writers is the pool of file writers of one layer. Only the applier
// goroutine calls its methods.
type writers struct {
	jobs     chan *fileJob
	wg       sync.WaitGroup
	inflight map[string]*fileJob // dispatched, maybe not done, by path
	order    []*fileJob          // the same, in dispatch order
	failed   atomic.Bool
}

// startWriters starts n writers for u (none when n is 0: every file is then
// written by the applier itself).
func (u *unpacker) startWriters(n int) {
	if n == 0 {
		return
	}
	w := &writers{jobs: make(chan *fileJob, writeQueueLen), inflight: map[string]*fileJob{}}
	for range n {
		w.wg.Go(func() {
			for j := range w.jobs {
				if w.failed.Load() {
					// The unpack fails anyway: write nothing more.
					if j.content != nil {
						_ = j.content.drain()
					}
					j.err = errAfterFailure
				} else if j.err = u.writeJob(j); j.err != nil {
					w.failed.Store(true)
				}
				close(j.done)
			}
		})
	}
	u.writers = w
}

// errAfterFailure marks a job skipped because an earlier one failed.
var errAfterFailure = errors.New("skipped after a failed write")

// stopWriters waits for every writer to exit and returns the first error
// of a job, in dispatch order.
func (u *unpacker) stopWriters() error {
	w := u.writers
	if w == nil {
		return nil
	}
	close(w.jobs)
	w.wg.Wait()
	u.writers = nil
	for _, j := range w.order {
		if j.err != nil {
			return w.jobError(j)
		}
	}
	return nil
}

// jobError words the error of the finished job j. A job skipped after a
// failure reports the failure instead: failed jobs stay in w.order until
// they are reported, and every job there is waited for.
func (w *writers) jobError(j *fileJob) error {
	if errors.Is(j.err, errAfterFailure) {
		for _, f := range w.order {
			<-f.done
			if f.err != nil && !errors.Is(f.err, errAfterFailure) {
				j = f
				break
			}
		}
	}
	return fmt.Errorf("unpack entry %q: %w", j.name, j.err)
}

// dispatch hands a regular file to the writers.
func (w *writers) dispatch(j *fileJob) error {
	if w.failed.Load() {
		return w.barrier()
	}
	j.done = make(chan struct{})
	w.inflight[j.p] = j
	w.order = append(w.order, j)
	w.jobs <- j
	w.prune()
	return nil
}

// prune forgets finished jobs: those at the front of the dispatch order,
// and all of them once the order grows long (a big file can keep the
// front busy while many small ones finish behind it). A failed job is
// kept, for stopWriters and waits to report.
func (w *writers) prune() {
	n := 0
	for _, j := range w.order {
		if !w.forget(j) {
			break
		}
		n++
	}
	w.order = w.order[n:]
	if len(w.order) > 4*writeQueueLen {
		w.order = slices.DeleteFunc(w.order, w.forget)
	}
}

// forget drops j from inflight if it finished without error.
func (w *writers) forget(j *fileJob) bool {
	select {
	case <-j.done:
	default:
		return false
	}
	if j.err != nil {
		return false
	}
	if w.inflight[j.p] == j {
		delete(w.inflight, j.p)
	}
	return true
}

// waitFor waits for the write of p, if one is in flight, and reports its
// error.
func (w *writers) waitFor(p string) error {
	if w == nil {
		return nil
	}
	j := w.inflight[p]
	if j == nil {
		return nil
	}
	<-j.done
	if j.err != nil {
		return w.jobError(j)
	}
	return nil
}

// waitUnder waits for the writes of p and of everything below it.
func (w *writers) waitUnder(p string) error {
	if w == nil {
		return nil
	}
	for _, j := range w.order {
		if inDir(j.p, p) {
			<-j.done
			if j.err != nil {
				return w.jobError(j)
			}
		}
	}
	return nil
}

// barrier waits for every write in flight.
func (w *writers) barrier() error {
	if w == nil {
		return nil
	}
	for _, j := range w.order {
		<-j.done
		if j.err != nil {
			return w.jobError(j)
		}
	}
	w.order = w.order[:0]
	clear(w.inflight)
	return nil
}

// inDir reports whether the in-root path p is dir or below it.
func inDir(p, dir string) bool {
	if dir == "/" {
		return true
	}
	return len(p) >= len(dir) && p[:len(dir)] == dir && (len(p) == len(dir) || p[len(dir)] == '/')
}

// handOff writes the regular file entry hdr at p (whose parent directory is
// known real) through the writers; handled is false when the entry must
// be written by the applier itself.
func (u *unpacker) handOff(p string, hdr *tar.Header, content *contentStream) (handled bool, err error) {
	w := u.writers
	if w == nil || content == nil {
		return false, nil
	}
	content.owned = true
	if err := w.waitFor(p); err != nil {
		return true, err
	}
	if _, ok := u.dirs[p]; ok {
		// A directory this layer knows of: removing it changes u.dirs.
		if err := u.remove(p); err != nil {
			return true, err
		}
	}
	meta, err := u.metadata(hdr)
	if err != nil {
		return true, err
	}
	sparse := isSparse(hdr)
	if sparse {
		if err := u.reserveSparse(hdr); err != nil {
			return true, err
		}
	}
	return true, w.dispatch(&fileJob{p: p, name: hdr.Name, hdr: hdr, meta: meta, sparse: sparse, content: content})
}

// removeAsync removes the lower layer's p (not "/") through the writers:
// on a disk the unlinks of a whiteout-heavy layer mostly wait for the
// device, and several overlap. The applier forgets p's directories now;
// anything it does later at or under p waits for the removal (entries
// under p are no longer in a known directory, so they wait for every
// write).
func (u *unpacker) removeAsync(p, name string) error {
	w := u.writers
	if w == nil {
		return u.remove(p)
	}
	if err := w.waitFor(p); err != nil {
		return err
	}
	u.forgetDirs(p)
	return w.dispatch(&fileJob{p: p, remove: true, name: name})
}

// writeJob creates and writes one file in a writer goroutine (or removes
// a lower path). Whatever is at the path is replaced; it is not a
// directory of u.dirs (handOff made sure), so the applier's directory
// state stays true.
func (u *unpacker) writeJob(j *fileJob) error {
	h := u.host(j.p)
	if j.remove {
		if err := u.fs.RemoveAll(h); err != nil {
			return fmt.Errorf("remove %s: %w", j.p, err)
		}
		return nil
	}
	f, err := u.fs.CreateExcl(h, u.createPerm(j.meta))
	if errors.Is(err, fs.ErrExist) {
		if err := u.fs.RemoveAll(h); err != nil {
			return fmt.Errorf("remove %s: %w", j.p, err)
		}
		f, err = u.fs.CreateExcl(h, u.createPerm(j.meta))
	}
	if err != nil {
		_ = j.content.drain()
		return err
	}
	err = u.writeFile(f, j.hdr, j.content, j.meta, j.sparse)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// Give back the pieces not written: the parser, which reads
		// ahead into a few buffers, would otherwise wait for them
		// forever while the applier waits for the parser.
		_ = j.content.drain()
	}
	return err
}
