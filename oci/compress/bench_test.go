package compress

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"io"
	"os"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// benchGzip returns a gzip stream to decompress: the file named by
// LADE_BENCH_GZ (e.g. a ~100 MB layer), or synthetic data.
func benchGzip(b *testing.B) []byte {
	b.Helper()
	if name := os.Getenv("LADE_BENCH_GZ"); name != "" {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	var buf bytes.Buffer
	w, _ := Gzip.Compress(&buf)
	w.Write(testData(8 << 20))
	w.Close()
	return buf.Bytes()
}

// benchConsume hashes the stream like unpack does for the diff_id.
func benchConsume(b *testing.B, r io.Reader) {
	b.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
}

func BenchmarkGunzip(b *testing.B) {
	data := benchGzip(b)
	b.Run("lade-pgzip", func(b *testing.B) {
		for b.Loop() {
			r, err := Gzip.Decompress(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			benchConsume(b, r)
			r.Close()
		}
	})
	b.Run("klauspost-goroutine", func(b *testing.B) {
		for b.Loop() {
			pr, pw := io.Pipe()
			go func() {
				zr, err := kgzip.NewReader(bytes.NewReader(data))
				if err != nil {
					pw.CloseWithError(err)
					return
				}
				_, err = io.CopyBuffer(pw, zr, make([]byte, 1<<20))
				pw.CloseWithError(err)
			}()
			benchConsume(b, pr)
		}
	})
	b.Run("klauspost-inline", func(b *testing.B) {
		for b.Loop() {
			zr, err := kgzip.NewReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			benchConsume(b, zr)
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		for b.Loop() {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			benchConsume(b, zr)
		}
	})
}
