package progress

import (
	"cmp"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// refreshRate is how often the bars are redrawn.
const refreshRate = 150 * time.Millisecond

// barHandle is the drawn part of a blob.
type barHandle interface {
	add(n int64)
	finish(s State)
}

// barSet is the bars of one Display, drawn by mpb.
type barSet struct {
	p *mpb.Progress

	mu    sync.Mutex
	blobs []*blob
}

// newBarSet starts drawing on w. A writer that is not a terminal (Bars
// forced) is drawn to as if it were one, width columns wide.
func newBarSet(w io.Writer, width int) *barSet {
	opts := []mpb.ContainerOption{mpb.WithOutput(w), mpb.WithRefreshRate(refreshRate)}
	if !IsTerminal(w) {
		opts = append(opts, mpb.ForceTTY(), mpb.WithAutoRefresh(), mpb.WithWidth(cmp.Or(width, 80)))
	}
	return &barSet{p: mpb.New(opts...)}
}

// add draws a bar for b.
func (s *barSet) add(b *blob) barHandle {
	name := b.label + " " + ShortID(b.id)
	// A bar made with total 0 never completes by itself: Finish decides
	// (a blob whose last byte failed verification is not "done").
	bar := s.p.AddBar(0,
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return name }, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return barText(b) }, decor.WCSyncWidthR)),
		// A skipped, mounted or failed blob's text says it all.
		mpb.BarFillerClearOnAbort(),
	)
	if b.total > 0 {
		bar.SetTotal(b.total, false)
	}
	s.mu.Lock()
	s.blobs = append(s.blobs, b)
	s.mu.Unlock()
	return mpbBar{bar}
}

// wait draws the last state of every bar and stops drawing. A blob that
// was never finished is shown as it stands.
func (s *barSet) wait() {
	s.mu.Lock()
	for _, b := range s.blobs {
		if !b.finished.Load() {
			b.bar.(mpbBar).Abort(false)
		}
	}
	s.mu.Unlock()
	s.p.Wait()
}

type mpbBar struct{ *mpb.Bar }

func (m mpbBar) add(n int64) { m.IncrInt64(n) }

func (m mpbBar) finish(s State) {
	if s == Done {
		m.SetTotal(-1, true)
		return
	}
	m.Abort(false)
}

// barText is what follows a bar: bytes, speed and state.
func barText(b *blob) string {
	done, took := b.done.Load(), b.took()
	var sb strings.Builder
	switch st := b.State(); {
	case st == Skipped:
		sb.WriteString("skipped: already exists")
	case st == Mounted:
		sb.WriteString("mounted from another repository")
	default:
		sb.WriteString(amount(done, b.total))
		sb.WriteString(" | ")
		sb.WriteString(Speed(done, took))
		sb.WriteString(" | ")
		if !b.finished.Load() {
			st = Copying
		}
		sb.WriteString(st.String())
	}
	return sb.String()
}
