package compress

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// testData returns n bytes that compress moderately, like real layers.
func testData(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"usr", "lib", "bin", "etc", "\x00\x00\x00\x00", "ELF", "lade", "\n"}
	var b bytes.Buffer
	for b.Len() < n {
		if rng.IntN(4) == 0 {
			b.WriteByte(byte(rng.Uint32()))
			continue
		}
		b.WriteString(words[rng.IntN(len(words))])
	}
	return b.Bytes()[:n]
}

func compressBytes(t *testing.T, a Algorithm, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := a.Compress(&buf)
	if err != nil {
		t.Fatalf("compress: %v", err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close writer: %v", err)
	}
	return buf.Bytes()
}

// decompressModes are the ways to decompress, which must read every
// stream alike: read ahead, inline from a stream, and inline from memory
// (the tests pass a *bytes.Reader, which "inline" hides).
var decompressModes = []struct {
	name string
	open func(Algorithm, io.Reader) (io.ReadCloser, error)
}{
	{"readahead", func(a Algorithm, r io.Reader) (io.ReadCloser, error) { return a.Decompress(r) }},
	{"inline", func(a Algorithm, r io.Reader) (io.ReadCloser, error) { return DecompressInline(a, onlyReader{r}) }},
	{"memory", DecompressInline},
}

// onlyReader hides every method of its reader but Read.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func decompressBytes(a Algorithm, data []byte) ([]byte, error) {
	return decompressBytesWith(Algorithm.Decompress, a, data)
}

func decompressBytesWith(open func(Algorithm, io.Reader) (io.ReadCloser, error), a Algorithm, data []byte) ([]byte, error) {
	r, err := open(a, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	return out, err
}

func TestRoundTrip(t *testing.T) {
	for _, a := range []Algorithm{None, Gzip, Zstd} {
		for _, size := range []int{0, 1, 4096, 1<<20 + 17} {
			t.Run(fmt.Sprintf("%s/%d", a.Name(), size), func(t *testing.T) {
				data := testData(size)
				packed := compressBytes(t, a, data)
				if a != None && size > 4096 && len(packed) >= size {
					t.Errorf("%s did not compress: %d -> %d", a.Name(), size, len(packed))
				}
				for _, m := range decompressModes {
					got, err := decompressBytesWith(m.open, a, packed)
					if err != nil {
						t.Fatalf("decompress %s: %v", m.name, err)
					}
					if !bytes.Equal(got, data) {
						t.Fatalf("%s round trip of %d bytes gave %d different bytes", m.name, size, len(got))
					}
				}
			})
		}
	}
}

func TestCompressDeterministic(t *testing.T) {
	data := testData(2<<20 + 5)
	for _, a := range []Algorithm{Gzip, Zstd} {
		t.Run(a.Name(), func(t *testing.T) {
			if !bytes.Equal(compressBytes(t, a, data), compressBytes(t, a, data)) {
				t.Fatal("same input compressed to different bytes")
			}
		})
	}
}

// TestConcatenatedAndTrailing checks that several members/frames are all
// decoded and that junk after the stream is drained, not an error.
func TestConcatenatedAndTrailing(t *testing.T) {
	part1, part2 := testData(100000), []byte("second part")
	junk := []byte("this is not compressed data, just junk\x00\x00\x00")
	for _, a := range []Algorithm{Gzip, Zstd} {
		for _, m := range decompressModes {
			for _, tc := range []struct {
				name  string
				tail  []byte
				parts bool
			}{
				{"single", nil, false},
				{"concatenated", nil, true},
				{"junk", junk, false},
				{"concatenated+junk", junk, true},
				{"zero padding", make([]byte, 1024), false},
				{"one junk byte", []byte{7}, false},
			} {
				t.Run(a.Name()+"/"+m.name+"/"+tc.name, func(t *testing.T) {
					if a == Zstd && len(tc.tail) > 0 && len(tc.tail) < len(zstdMagic) {
						t.Skip("junk shorter than a zstd magic reads as a truncated frame")
					}
					stream := compressBytes(t, a, part1)
					want := append([]byte(nil), part1...)
					if tc.parts {
						stream = append(stream, compressBytes(t, a, part2)...)
						want = append(want, part2...)
					}
					src := bytes.NewReader(append(stream, tc.tail...))
					r, err := m.open(a, src)
					if err != nil {
						t.Fatalf("decompress: %v", err)
					}
					defer r.Close()
					got, err := io.ReadAll(r)
					if err != nil {
						t.Fatalf("read: %v", err)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("got %d bytes, want %d", len(got), len(want))
					}
					if src.Len() != 0 {
						t.Errorf("%d bytes of input left unread", src.Len())
					}
				})
			}
		}
	}
}

func TestDecompressCorrupt(t *testing.T) {
	data := testData(200000)
	for _, a := range []Algorithm{Gzip, Zstd} {
		good := compressBytes(t, a, data)
		for _, tc := range []struct {
			name  string
			input []byte
		}{
			{"empty", nil},
			{"garbage", []byte("definitely not a compressed stream at all")},
			{"truncated", good[:len(good)/2]},
			{"flipped", flip(good, len(good)/2)},
			// gzip: the member's 8-byte trailer (CRC32, ISIZE) missing or
			// cut; zstd: the end of the last block or its checksum cut.
			{"no trailer", good[:len(good)-8]},
			{"partial trailer", good[:len(good)-3]},
			{"last byte missing", good[:len(good)-1]},
		} {
			for _, m := range decompressModes {
				t.Run(a.Name()+"/"+m.name+"/"+tc.name, func(t *testing.T) {
					got, err := decompressBytesWith(m.open, a, tc.input)
					if a == Zstd && tc.name == "empty" {
						// An empty zstd stream is zero frames: empty output.
						if err != nil || len(got) != 0 {
							t.Fatalf("empty zstd: got %d bytes, %v", len(got), err)
						}
						return
					}
					if err == nil {
						t.Fatalf("no error, %d bytes out", len(got))
					}
					if strings.HasSuffix(tc.name, "trailer") || tc.name == "last byte missing" {
						if want := "decompress " + a.Name() + ": truncated stream: "; !strings.Contains(err.Error(), want) {
							t.Errorf("error %q, want it to say %q", err, want)
						}
					}
				})
			}
		}
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0xff
	return c
}

// errReader fails after its data, like a verifying reader whose digest
// does not match at EOF.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, e.err
	}
	return n, err
}

func TestDecompressPropagatesSourceError(t *testing.T) {
	errDigest := errors.New("digest mismatch")
	for _, a := range []Algorithm{None, Gzip, Zstd} {
		for _, m := range decompressModes {
			t.Run(a.Name()+"/"+m.name, func(t *testing.T) {
				stream := append(compressBytes(t, a, testData(5000)), "junk"...)
				r, err := m.open(a, &errReader{r: bytes.NewReader(stream), err: errDigest})
				if err != nil {
					t.Fatalf("decompress: %v", err)
				}
				defer r.Close()
				if _, err := io.ReadAll(r); !errors.Is(err, errDigest) {
					t.Fatalf("got %v, want the source error", err)
				}
			})
		}
	}
}

// TestMemoryReadsLikeStream: decoding from memory (a *bytes.Reader, the
// decoder's fast path) and from a stream give the same bytes and the same
// error for every cut of a two-member stream with junk after it, and for a
// flipped byte anywhere in it.
func TestMemoryReadsLikeStream(t *testing.T) {
	// The second member carries the optional header fields Go's writer
	// writes (extra, name, comment), so that cuts land in each.
	var named bytes.Buffer
	zw := gzip.NewWriter(&named)
	zw.Name, zw.Comment, zw.Extra = "layer.tar", "a comment", []byte("extra field")
	zw.Write([]byte("second member"))
	zw.Close()
	stream := append(compressBytes(t, Gzip, testData(3000)), named.Bytes()...)
	stream = append(stream, "junk"...)
	var inputs [][]byte
	for n := 0; n <= len(stream); n++ {
		inputs = append(inputs, stream[:n])
	}
	for i := 0; i < len(stream); i += 7 {
		inputs = append(inputs, flip(stream, i))
	}
	inline, memory := decompressModes[1], decompressModes[2]
	for _, in := range inputs {
		got1, err1 := decompressBytesWith(inline.open, Gzip, in)
		got2, err2 := decompressBytesWith(memory.open, Gzip, in)
		if fmt.Sprint(err1) != fmt.Sprint(err2) || !bytes.Equal(got1, got2) {
			t.Fatalf("%d input bytes: stream gave %d bytes, %v; memory %d bytes, %v", len(in), len(got1), err1, len(got2), err2)
		}
	}
}

func TestDecodesFasterFromMemory(t *testing.T) {
	want := map[string]bool{"none": false, "gzip": true, "zstd": false}
	for _, a := range algorithms {
		if got := DecodesFasterFromMemory(a); got != want[a.Name()] {
			t.Errorf("DecodesFasterFromMemory(%s) = %v, want %v", a.Name(), got, want[a.Name()])
		}
	}
}
