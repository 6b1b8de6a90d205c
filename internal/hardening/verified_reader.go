package hardening

import (
	_ "crypto/sha256" // register sha256 for go-digest
	_ "crypto/sha512" // register sha384/sha512 for go-digest
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/opencontainers/go-digest"
)

// errReadAfterClose is returned by Read once Close has been called.
var errReadAfterClose = errors.New("read after close")

// verifiedReader is the io.ReadCloser returned by NewVerifiedReader.
type verifiedReader struct {
	r        io.ReadCloser
	expected digest.Digest
	size     int64 // -1 when unknown
	hash     hash.Hash
	n        int64 // bytes handed out so far
	err      error // sticky: verification result once known, or first failure
	closed   bool
}

// NewVerifiedReader wraps r so that the bytes read through it are checked
// against digest d and, when size is not negative, against size.
//
//   - It never hands out more than size bytes: a stream that is longer fails
//     with ErrSizeMismatch instead of returning the extra data.
//   - At EOF it checks the size and the digest; a mismatch is returned by
//     that Read (instead of io.EOF) and by every later Read and Close.
//   - Close drains whatever the caller did not read (at most size bytes, plus
//     one to detect an over-long stream, when size is known), verifies it,
//     closes r and returns the first error. A caller that stops reading
//     early therefore still learns whether the content was corrupt.
//
// A digest that is malformed or uses an unavailable algorithm makes every
// Read and Close fail; it never panics. Errors name the expected digest.
func NewVerifiedReader(r io.ReadCloser, d digest.Digest, size int64) io.ReadCloser {
	vr := &verifiedReader{r: r, expected: d, size: size}
	if size < -1 {
		vr.err = fmt.Errorf("verify %s: invalid expected size %d", d, size)
		return vr
	}
	if err := d.Validate(); err != nil {
		vr.err = fmt.Errorf("verify %q: invalid digest: %w", string(d), err)
		return vr
	}
	vr.hash = d.Algorithm().Hash()
	return vr
}

// Read implements io.Reader.
func (vr *verifiedReader) Read(p []byte) (int, error) {
	if vr.closed {
		return 0, errReadAfterClose
	}
	if vr.err != nil {
		return 0, vr.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if vr.size >= 0 {
		if vr.n >= vr.size {
			return 0, vr.probeEOF()
		}
		if remaining := vr.size - vr.n; int64(len(p)) > remaining {
			p = p[:remaining]
		}
	}
	k, err := vr.r.Read(p)
	if k < 0 || k > len(p) {
		vr.err = fmt.Errorf("verify %s: underlying reader returned invalid count %d", vr.expected, k)
		return 0, vr.err
	}
	vr.hash.Write(p[:k])
	vr.n += int64(k)
	switch {
	case errors.Is(err, io.EOF):
		vr.err = vr.verify()
		return k, vr.err
	case err != nil:
		vr.err = fmt.Errorf("verify %s: read: %w", vr.expected, err)
		return k, vr.err
	}
	return k, nil
}

// probeEOF is called once size bytes were handed out: the stream must end
// now. It reads one more byte to find out, and never returns it.
func (vr *verifiedReader) probeEOF() error {
	var one [1]byte
	for {
		k, err := vr.r.Read(one[:])
		if k > 0 {
			vr.err = fmt.Errorf("verify %s: %w: expected %d bytes, got more", vr.expected, ErrSizeMismatch, vr.size)
			return vr.err
		}
		if errors.Is(err, io.EOF) {
			vr.err = vr.verify()
			return vr.err
		}
		if err != nil {
			vr.err = fmt.Errorf("verify %s: read: %w", vr.expected, err)
			return vr.err
		}
	}
}

// verify checks size and digest once the stream ended. It returns io.EOF
// when both match.
func (vr *verifiedReader) verify() error {
	if vr.size >= 0 && vr.n != vr.size {
		return fmt.Errorf("verify %s: %w: expected %d bytes, got %d", vr.expected, ErrSizeMismatch, vr.size, vr.n)
	}
	got := digest.NewDigest(vr.expected.Algorithm(), vr.hash)
	if got != vr.expected {
		return fmt.Errorf("verify %s: %w: content hashes to %s", vr.expected, ErrDigestMismatch, got)
	}
	return io.EOF
}

// FileBacked is implemented by verified readers that may read a file.
// File returns the file while nothing was read through the reader yet, and
// nil when the reader reads something else or has started. A caller may
// map the file and decode from the mapping while it reads the reader, in
// parallel, to its end to verify the file; it must not read the file
// through the *os.File (its offset is the reader's), seek or close it.
type FileBacked interface {
	File() *os.File
}

// File implements FileBacked: it returns r when NewVerifiedReader was given
// an *os.File and the reader is untouched.
func (vr *verifiedReader) File() *os.File {
	f, _ := vr.r.(*os.File)
	if vr.n != 0 || vr.closed || vr.err != nil {
		return nil
	}
	return f
}

// Close drains and verifies the unread remainder, then closes the underlying
// reader. It is safe to call more than once; later calls return nil.
func (vr *verifiedReader) Close() error {
	if vr.closed {
		return nil
	}
	var drainErr error
	if vr.err == nil {
		_, drainErr = io.Copy(io.Discard, vr)
	}
	vr.closed = true
	closeErr := vr.r.Close()
	switch {
	case vr.err != nil && !errors.Is(vr.err, io.EOF):
		return vr.err
	case drainErr != nil:
		return drainErr
	case closeErr != nil:
		return fmt.Errorf("verify %s: close: %w", vr.expected, closeErr)
	}
	return nil
}
