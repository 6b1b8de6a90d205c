package mtreeutil

import (
	"context"
	"runtime"
	"slices"
	"sync"
)

// Directory listings (readdir, an lstat, a listxattr and maybe a readlink
// per entry: syscalls, mostly) are made by a few goroutines ahead of the
// manifest writer, which asks for them one at a time in its walk order.
// The writer announces the subdirectories it is about to enter (want);
// the listers take the most recently announced first, which is the order
// a depth-first walk enters them, so listings are ready about when they
// are needed. At most listAhead listings wait for the writer at any time,
// so memory is bounded by that many directories, not by the tree.
const listAhead = 32

// listing is one directory's listing, wanted, being made or made.
type listing struct {
	rel, path string
	state     listState
	done      chan struct{}
	entries   []scanEntry
	err       error
}

type listState int

const (
	listQueued  listState = iota // announced, nobody has started it
	listRunning                  // a lister or the writer is making it
	listDone
)

// lister runs the listers of one walk.
type lister struct {
	ctx    context.Context
	cancel context.CancelFunc
	list   func(rel, path string) ([]scanEntry, error)
	wg     sync.WaitGroup

	mu      sync.Mutex
	cond    *sync.Cond
	stack   []*listing          // announced, most recent last
	byPath  map[string]*listing // announced and not yet taken by the writer
	pending int                 // running or done, not yet taken
	closed  bool
}

func newLister(ctx context.Context, list func(rel, path string) ([]scanEntry, error)) *lister {
	ctx, cancel := context.WithCancel(ctx)
	l := &lister{ctx: ctx, cancel: cancel, list: list, byPath: map[string]*listing{}}
	l.cond = sync.NewCond(&l.mu)
	for range max(4, 2*runtime.GOMAXPROCS(0)) {
		l.wg.Go(l.work)
	}
	return l
}

// want announces directories the writer will ask for, in the order it
// will ask.
func (l *lister) want(dirs []*scanEntry) {
	if len(dirs) == 0 {
		return
	}
	l.mu.Lock()
	for _, d := range slices.Backward(dirs) {
		it := &listing{rel: d.rel, path: d.path, done: make(chan struct{})}
		l.byPath[d.path] = it
		l.stack = append(l.stack, it)
	}
	l.mu.Unlock()
	l.cond.Broadcast()
}

// get returns the listing of path: ready, awaited, or made now by the
// caller when no lister has started it.
func (l *lister) get(rel, path string) ([]scanEntry, error) {
	l.mu.Lock()
	it := l.byPath[path]
	delete(l.byPath, path)
	if it == nil || it.state == listQueued {
		if it != nil {
			it.state = listRunning // the listers skip it
		}
		l.mu.Unlock()
		return l.list(rel, path)
	}
	l.mu.Unlock()
	<-it.done
	l.mu.Lock()
	l.pending--
	l.mu.Unlock()
	l.cond.Broadcast()
	return it.entries, it.err
}

// work makes announced listings, newest first, while fewer than listAhead
// wait for the writer.
func (l *lister) work() {
	for {
		l.mu.Lock()
		var it *listing
		for it == nil {
			if l.closed {
				l.mu.Unlock()
				return
			}
			for len(l.stack) > 0 && l.stack[len(l.stack)-1].state != listQueued {
				l.stack = l.stack[:len(l.stack)-1] // taken by the writer
			}
			if len(l.stack) > 0 && l.pending < listAhead {
				it = l.stack[len(l.stack)-1]
				l.stack = l.stack[:len(l.stack)-1]
				break
			}
			l.cond.Wait()
		}
		it.state = listRunning
		l.pending++
		l.mu.Unlock()
		if err := l.ctx.Err(); err != nil {
			it.err = err
		} else {
			it.entries, it.err = l.list(it.rel, it.path)
		}
		l.mu.Lock()
		it.state = listDone
		l.mu.Unlock()
		close(it.done)
	}
}

// close stops the listers and waits for them.
func (l *lister) close() {
	l.cancel()
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cond.Broadcast()
	l.wg.Wait()
}
