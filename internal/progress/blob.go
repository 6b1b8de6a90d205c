package progress

import (
	"sync/atomic"
	"time"
)

// blob is one blob reported to a Display.
type blob struct {
	d     *Display
	label string
	id    string
	total int64
	start time.Time

	done     atomic.Int64
	state    atomic.Int32
	elapsed  atomic.Int64 // nanoseconds from start to Finish
	finished atomic.Bool
	bar      barHandle // nil unless the Display draws bars
}

// Add implements Blob.
func (b *blob) Add(n int64) {
	b.done.Add(n)
	if b.bar != nil {
		b.bar.add(n)
	}
}

// Finish implements Blob. Only the first call counts.
func (b *blob) Finish(s State) {
	if s == Copying || !b.finished.CompareAndSwap(false, true) {
		return
	}
	b.elapsed.Store(int64(time.Since(b.start)))
	b.state.Store(int32(s))
	b.d.finished(b, s)
	if b.bar != nil {
		b.bar.finish(s)
	}
}

// State returns where the blob stands.
func (b *blob) State() State { return State(b.state.Load()) }

// took is how long the blob has been (or was) moving.
func (b *blob) took() time.Duration {
	if b.finished.Load() {
		return time.Duration(b.elapsed.Load())
	}
	return time.Since(b.start)
}
