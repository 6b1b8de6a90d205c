package hardening

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/opencontainers/go-digest"
)

// trackingCloser records whether Close was called and how much was read.
type trackingCloser struct {
	io.Reader
	closed bool
	read   int64
}

func (c *trackingCloser) Read(p []byte) (int, error) {
	n, err := c.Reader.Read(p)
	c.read += int64(n)
	return n, err
}

func (c *trackingCloser) Close() error { c.closed = true; return nil }

func newTracking(data []byte) *trackingCloser {
	return &trackingCloser{Reader: bytes.NewReader(data)}
}

func TestVerifiedReaderFullRead(t *testing.T) {
	data := []byte("hello, verified world")
	good := digest.FromBytes(data)
	other := digest.FromString("something else")
	tests := []struct {
		name     string
		content  []byte
		d        digest.Digest
		size     int64
		wantErr  error // nil means success
		wantRead []byte
	}{
		{"exact size", data, good, int64(len(data)), nil, data},
		{"unknown size", data, good, -1, nil, data},
		{"wrong digest", data, other, int64(len(data)), ErrDigestMismatch, data},
		{"wrong digest unknown size", data, other, -1, ErrDigestMismatch, data},
		{"too short", data[:5], good, int64(len(data)), ErrSizeMismatch, data[:5]},
		{"too long", append(append([]byte{}, data...), 'X'), good, int64(len(data)), ErrSizeMismatch, data},
		{"size smaller than content", data, good, 3, ErrSizeMismatch, data[:3]},
		{"empty blob", nil, digest.FromBytes(nil), 0, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := newTracking(tc.content)
			vr := NewVerifiedReader(src, tc.d, tc.size)
			got, err := io.ReadAll(vr)
			if !bytes.Equal(got, tc.wantRead) {
				t.Errorf("read %q, want %q", got, tc.wantRead)
			}
			if tc.size >= 0 && int64(len(got)) > tc.size {
				t.Errorf("reader handed out %d bytes, more than size %d", len(got), tc.size)
			}
			checkErr(t, "ReadAll", err, tc.wantErr, tc.d)
			cerr := vr.Close()
			checkErr(t, "Close", cerr, tc.wantErr, tc.d)
			if !src.closed {
				t.Error("underlying reader not closed")
			}
			if err := vr.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

func checkErr(t *testing.T, what string, err, want error, d digest.Digest) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("%s: unexpected error %v", what, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("%s: error %v, want %v", what, err, want)
	}
	if !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("%s: error %v does not match ErrDigestMismatch", what, err)
	}
	if !strings.Contains(err.Error(), d.String()) {
		t.Errorf("%s: error %q does not name expected digest %s", what, err, d)
	}
}

func TestVerifiedReaderCloseDrainsAndVerifies(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 10000)
	good := digest.FromBytes(data)
	corrupt := append([]byte{}, data...)
	corrupt[len(corrupt)-1] ^= 0xff

	t.Run("partial read of good content", func(t *testing.T) {
		src := newTracking(data)
		vr := NewVerifiedReader(src, good, int64(len(data)))
		if _, err := io.ReadFull(vr, make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
		if err := vr.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if src.read != int64(len(data)) {
			t.Errorf("drained %d bytes, want %d", src.read, len(data))
		}
	})
	t.Run("partial read of corrupt content", func(t *testing.T) {
		vr := NewVerifiedReader(newTracking(corrupt), good, int64(len(data)))
		if _, err := io.ReadFull(vr, make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
		checkErr(t, "Close", vr.Close(), ErrDigestMismatch, good)
	})
	t.Run("close without reading", func(t *testing.T) {
		vr := NewVerifiedReader(newTracking(corrupt), good, -1)
		checkErr(t, "Close", vr.Close(), ErrDigestMismatch, good)
	})
	t.Run("drain is bounded by size", func(t *testing.T) {
		// An endless stream must not be drained forever when size is known.
		src := &trackingCloser{Reader: iotest.OneByteReader(zeroReader{})}
		vr := NewVerifiedReader(src, good, 100)
		checkErr(t, "Close", vr.Close(), ErrSizeMismatch, good)
		if src.read != 101 {
			t.Errorf("drained %d bytes, want 101 (size plus one probe)", src.read)
		}
	})
	t.Run("read after close", func(t *testing.T) {
		vr := NewVerifiedReader(newTracking(data), good, int64(len(data)))
		if err := vr.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := vr.Read(make([]byte, 1)); err == nil {
			t.Error("read after close succeeded")
		}
	})
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestVerifiedReaderBadInput(t *testing.T) {
	tests := []struct {
		name string
		d    digest.Digest
		size int64
	}{
		{"empty digest", "", 3},
		{"no algorithm", "abc", 3},
		{"unknown algorithm", "md5:d41d8cd98f00b204e9800998ecf8427e", 3},
		{"short hex", "sha256:abcd", 3},
		{"uppercase hex", digest.Digest(strings.ToUpper(string(digest.FromString("abc")))), 3},
		{"negative size", digest.FromString("abc"), -7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vr := NewVerifiedReader(newTracking([]byte("abc")), tc.d, tc.size)
			if _, err := io.ReadAll(vr); err == nil {
				t.Error("ReadAll succeeded")
			}
			if err := vr.Close(); err == nil {
				t.Error("Close succeeded")
			}
		})
	}
}

func TestVerifiedReaderUnderlyingError(t *testing.T) {
	boom := errors.New("boom")
	src := &trackingCloser{Reader: iotest.ErrReader(boom)}
	vr := NewVerifiedReader(src, digest.FromString("x"), 1)
	if _, err := io.ReadAll(vr); !errors.Is(err, boom) {
		t.Errorf("ReadAll error %v, want %v", err, boom)
	}
	if err := vr.Close(); !errors.Is(err, boom) {
		t.Errorf("Close error %v, want %v", err, boom)
	}
}

// TestMismatchWording: scripts written for umoci match these texts.
func TestMismatchWording(t *testing.T) {
	data := []byte("hello")
	for _, tc := range []struct {
		name string
		body []byte
		size int64
		want string
	}{
		{"digest", []byte("world"), 5, "verify " + digest.FromBytes(data).String() + ": verified reader digest mismatch: content hashes to "},
		{"short", data[:4], 5, "verify " + digest.FromBytes(data).String() + ": verified reader size mismatch: expected 5 bytes, got 4"},
		{"long", append(data, '!'), 5, "verify " + digest.FromBytes(data).String() + ": verified reader size mismatch: expected 5 bytes, got more"},
	} {
		vr := NewVerifiedReader(io.NopCloser(bytes.NewReader(tc.body)), digest.FromBytes(data), tc.size)
		_, err := io.ReadAll(vr)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to start with %q", tc.name, err, tc.want)
		}
	}
}

func TestSizeMismatchIsDigestMismatch(t *testing.T) {
	if !errors.Is(ErrSizeMismatch, ErrDigestMismatch) {
		t.Error("ErrSizeMismatch does not wrap ErrDigestMismatch")
	}
	if errors.Is(ErrDigestMismatch, ErrSizeMismatch) {
		t.Error("ErrDigestMismatch matches ErrSizeMismatch")
	}
}

func TestVerifiedReaderFile(t *testing.T) {
	content := []byte("file content")
	f, err := os.CreateTemp(t.TempDir(), "blob")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(content); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	vr := NewVerifiedReader(f, digest.FromBytes(content), int64(len(content)))
	if got := vr.(FileBacked).File(); got != f {
		t.Fatalf("File() = %v, want the file given", got)
	}
	if _, err := vr.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	if got := vr.(FileBacked).File(); got != nil {
		t.Fatalf("File() of a reader that has started = %v, want nil", got)
	}
	if err := vr.Close(); err != nil {
		t.Fatal(err)
	}
	other := NewVerifiedReader(io.NopCloser(bytes.NewReader(content)), digest.FromBytes(content), -1)
	if got := other.(FileBacked).File(); got != nil {
		t.Fatalf("File() of a reader over memory = %v, want nil", got)
	}
}
