package progress

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Mode is how a Display shows progress.
type Mode int

// The modes of a Display (see the package documentation).
const (
	Auto Mode = iota
	Bars
	Plain
	Quiet
)

// ParseMode returns the mode named s: "auto", "tty" (Bars), "plain" or
// "quiet".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "auto":
		return Auto, nil
	case "tty":
		return Bars, nil
	case "plain":
		return Plain, nil
	case "quiet":
		return Quiet, nil
	}
	return Auto, fmt.Errorf("parse progress mode %q: want auto, tty, plain or quiet", s)
}

// Options configure a Display.
type Options struct {
	// Mode is the display mode; Auto by default.
	Mode Mode
	// Width is the width of a bar line when the writer is not a terminal
	// whose width can be asked (Bars forced on a pipe or a file); 0 means
	// 80 columns.
	Width int
}

// Display shows the progress of the blobs reported to it on a writer. It
// is a Reporter. Close it once every blob has finished: it then draws the
// last state of the bars and writes the summary line.
type Display struct {
	w     io.Writer
	mode  Mode // Bars, Plain or Quiet once resolved
	width int
	start time.Time

	mu     sync.Mutex
	totals Summary
	bars   *barSet // started with the first blob in Bars mode
	closed bool
}

// New returns a Display writing to w. In Auto mode it draws bars when w is
// a terminal (an *os.File on a tty) and writes nothing otherwise.
func New(w io.Writer, opts Options) *Display {
	mode := opts.Mode
	if mode == Auto {
		mode = Quiet
		if IsTerminal(w) {
			mode = Bars
		}
	}
	return &Display{w: w, mode: mode, width: opts.Width, start: time.Now()}
}

// Mode returns the mode in use: Bars, Plain or Quiet (never Auto).
func (d *Display) Mode() Mode { return d.mode }

// Start implements Reporter.
func (d *Display) Start(label, id string, total int64) Blob {
	b := &blob{d: d, label: label, id: id, total: total, start: time.Now()}
	if d.mode != Bars {
		return b
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return b
	}
	if d.bars == nil {
		d.bars = newBarSet(d.w, d.width)
	}
	b.bar = d.bars.add(b)
	return b
}

// finished records a finished blob and, in Plain mode, writes its line.
func (d *Display) finished(b *blob, s State) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.totals.add(s, b.done.Load())
	if d.mode == Plain && !d.closed {
		_, _ = fmt.Fprintln(d.w, plainLine(b, s, time.Since(b.start)))
	}
}

// Summary returns the counts so far.
func (d *Display) Summary() Summary {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.totals
	s.Elapsed = time.Since(d.start)
	return s
}

// Close stops the bars, after waiting for every started blob to finish,
// and writes the summary line (in Bars and Plain mode, when a blob was
// reported). It is safe to call more than once.
func (d *Display) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	bars := d.bars
	d.mu.Unlock()
	if bars != nil {
		bars.wait()
	}
	s := d.Summary()
	if d.mode == Quiet || s.Blobs == 0 {
		return nil
	}
	if _, err := fmt.Fprintln(d.w, s.String()); err != nil {
		return fmt.Errorf("write progress summary: %w", err)
	}
	return nil
}
