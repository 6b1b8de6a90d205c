package progress

import "io"

// State is where one blob's transfer stands.
type State int32

// The states a blob goes through: Copying until one of the others.
const (
	Copying State = iota
	Skipped       // the destination already had it
	Mounted       // the registry mounted it from another repository
	Done          // every byte was moved
	Failed        // the transfer stopped with an error
)

// String is the word the display shows for s.
func (s State) String() string {
	switch s {
	case Copying:
		return "copying"
	case Skipped:
		return "skipped"
	case Mounted:
		return "mounted"
	case Done:
		return "done"
	case Failed:
		return "failed"
	}
	return "unknown"
}

// Reporter is told about blob transfers. Implementations are safe for use
// by several goroutines at once.
type Reporter interface {
	// Start announces one blob: label says what is done with it ("Copying
	// blob", "Unpacking layer"), id names it (a digest, shown shortened),
	// total is its size in bytes, or -1 when it is not known yet.
	Start(label, id string, total int64) Blob
}

// Blob is the progress of one blob. Add may be called from any goroutine;
// Finish is called once, after the last Add.
type Blob interface {
	// Add records n more bytes moved; a negative n takes back bytes of a
	// failed attempt that is tried again.
	Add(n int64)
	// Finish ends the blob in state s (Skipped, Mounted, Done or Failed).
	Finish(s State)
}

// Start is r.Start, or a Blob that records nothing when r is nil.
func Start(r Reporter, label, id string, total int64) Blob {
	if r == nil {
		return nopBlob{}
	}
	return r.Start(label, id, total)
}

type nopBlob struct{}

func (nopBlob) Add(int64)    {}
func (nopBlob) Finish(State) {}

// NewReader returns a reader of r that adds every byte read to b. It does
// not finish b: the caller knows whether the transfer succeeded.
func NewReader(r io.Reader, b Blob) io.Reader {
	return &countingReader{r: r, b: b}
}

type countingReader struct {
	r io.Reader
	b Blob
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.b.Add(int64(n))
	}
	return n, err
}

// NewWriter returns a writer to w that adds every byte written to b. It
// does not finish b.
func NewWriter(w io.Writer, b Blob) io.Writer {
	return &countingWriter{w: w, b: b}
}

type countingWriter struct {
	w io.Writer
	b Blob
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if n > 0 {
		c.b.Add(int64(n))
	}
	return n, err
}
