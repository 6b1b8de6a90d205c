package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/internal/system"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/compress"
)

// A layer whose blob is a file (a layout's, or one a pull has stored) and
// whose algorithm decodes faster from memory (gzip: klauspost's inflate
// reading a *bytes.Reader takes ~20% less CPU than reading a
// *bufio.Reader, and inflate is most of unpack's CPU) is decoded from a
// memory mapping of the file. The verifying
// reader still reads the whole file, in a goroutine of its own a bounded
// distance ahead of the decoder, and a progress bar on it follows the
// decoding.
//
// The decoder and the verifier read the file at different moments: a
// process that rewrites the blob in place (same size) while it is
// unpacked could have one byte hashed and another decoded. The layer is
// then refused all the same, by the diff_id check of the decoded stream,
// which unpack always makes (applyLayer); that check, not the blob digest,
// is what vouches for the applied content.

// mappedLead is how far the verifying read may run ahead of the decoder.
const mappedLead = 16 << 20

// mappedReleaseSlack is how much input behind the decoder's position stays
// mapped: released pages are whole pages before it.
const mappedReleaseSlack = 1 << 20

// mappedStep is how far the decoder moves between reports of its position
// (to the verifier, and to the kernel as pages to release).
const mappedStep = 4 << 20

// mappedVerifyBuffer is the verifying read's buffer.
const mappedVerifyBuffer = 1 << 20

// errBlobShrank reports a mapped blob file that got shorter while it was
// decoded (reading past the end of a file's mapping faults).
var errBlobShrank = errors.New("blob file shrank while it was read")

// decompressMapped decodes blob, which holds size bytes of alg, from a
// mapping of its file when it reads a file and alg gains from it
// (compress.DecodesFasterFromMemory); ok is false, and nothing is done,
// otherwise. The returned reader owns blob.
func decompressMapped(alg compress.Algorithm, blob io.ReadCloser, size int64) (rc io.ReadCloser, ok bool, err error) {
	if !compress.DecodesFasterFromMemory(alg) {
		return nil, false, nil
	}
	fb, isFile := blob.(hardening.FileBacked)
	if !isFile || fb.File() == nil {
		return nil, false, nil
	}
	m, err := system.MapFile(fb.File(), size)
	if err != nil {
		// An empty or odd file: stream it, and let the verifying reader
		// say what is wrong with it, if anything.
		slog.Debug("decode layer blob as a stream", "reason", err)
		return nil, false, nil
	}
	l := &mappedLayer{
		m:    m,
		in:   bytes.NewReader(m.Bytes()),
		blob: blob,
		wake: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go l.verify()
	err = l.guard(func() (err error) {
		l.dec, err = compress.DecompressInline(alg, l.in)
		return err
	})
	if err != nil {
		err = l.rootCause(err)
		_ = l.Close()
		return nil, true, fmt.Errorf("decompress %s layer: %w", alg.Name(), err)
	}
	return l, true, nil
}

// mappedLayer reads a decompressor over a mapped blob file while a
// goroutine reads the file through its verifying reader.
type mappedLayer struct {
	m    *system.Mapping
	in   *bytes.Reader // over m, read by dec only
	dec  io.ReadCloser
	blob io.ReadCloser // the verifying reader, read by verify until Close

	decoded atomic.Int64  // input offset the decoder has reached
	wake    chan struct{} // decoded moved on (capacity 1)
	stop    chan struct{} // closed by Close
	done    chan struct{} // closed when verify returns
	verr    error         // verify's result, read after done

	err       error // sticky: the first error Read returned
	closeOnce sync.Once
	closeErr  error
}

// errMappedClosed is returned by a Read after Close.
var errMappedClosed = errors.New("read of a closed layer")

// verify reads the blob through its verifying reader, at most mappedLead
// bytes ahead of the decoder, until its end, an error, or Close.
func (l *mappedLayer) verify() {
	defer close(l.done)
	buf := make([]byte, mappedVerifyBuffer)
	var n int64
	for {
		for n-l.decoded.Load() > mappedLead {
			select {
			case <-l.wake:
			case <-l.stop:
				return
			}
		}
		k, err := l.blob.Read(buf)
		n += int64(k)
		switch {
		case errors.Is(err, io.EOF):
			return
		case err != nil:
			l.verr = err
			return
		}
		select {
		case <-l.stop:
			return
		default:
		}
	}
}

// verified lets verify run to the blob's end and returns its error.
func (l *mappedLayer) verified() error {
	l.advance(math.MaxInt64)
	<-l.done
	return l.verr
}

// advance records that the decoder reached offset pos.
func (l *mappedLayer) advance(pos int64) {
	l.decoded.Store(pos)
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// rootCause is the error to report for a decoding failure: a blob that
// does not match its digest or size (found by reading it to its end) is
// the cause of whatever the decoder saw, and when the mapping faulted, the
// verifying read says why (a short file, or an I/O error).
func (l *mappedLayer) rootCause(err error) error {
	verr := l.verified()
	if errors.Is(verr, cas.ErrDigestMismatch) || errors.Is(verr, cas.ErrSizeMismatch) ||
		verr != nil && errors.Is(err, errBlobShrank) {
		return verr
	}
	return err
}

// verifyFailed returns the verifying read's error if it has already
// failed, without waiting.
func (l *mappedLayer) verifyFailed() error {
	select {
	case <-l.done:
		return l.verr
	default:
		return nil
	}
}

// guard runs fn, which reads the mapping, turning the fault of a read past
// the end of a file that shrank into errBlobShrank.
func (l *mappedLayer) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); !fault {
				panic(r)
			}
			err = errBlobShrank
		}
	}()
	return fn()
}

// Read reads decompressed data. It fails as soon as the verifying read
// has failed, and at the end of the stream it waits for the verification
// of the whole blob. After an error (or Close) it returns that error: a
// decoder a fault interrupted is in no state to go on.
func (l *mappedLayer) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.read(p)
	if err != nil {
		l.err = err
	}
	return n, err
}

func (l *mappedLayer) read(p []byte) (int, error) {
	if verr := l.verifyFailed(); verr != nil {
		return 0, verr
	}
	var n int
	err := l.guard(func() (err error) {
		n, err = l.dec.Read(p)
		return err
	})
	// The decoder returns at most a window (32 KiB) per read: tell the
	// verifier and the kernel about progress in steps.
	if pos := l.in.Size() - int64(l.in.Len()); pos-l.decoded.Load() >= mappedStep {
		l.advance(pos)
		l.m.Release(int(pos - mappedReleaseSlack))
	}
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF):
		if verr := l.verified(); verr != nil {
			return n, verr
		}
		return n, io.EOF
	default:
		return n, l.rootCause(err)
	}
}

// Close stops the verifying read, closes the blob (which drains and
// verifies what was not read) and unmaps the file.
func (l *mappedLayer) Close() error {
	l.closeOnce.Do(func() {
		l.err = errMappedClosed
		close(l.stop)
		<-l.done
		var decErr error
		if l.dec != nil {
			decErr = l.dec.Close()
		}
		l.closeErr = errors.Join(decErr, l.blob.Close(), l.m.Close())
	})
	return l.closeErr
}
