package compress

import (
	"bufio"
	"bytes"
	"io"
	"testing"
)

// FuzzDetectDecompress feeds arbitrary bytes through detection and the
// detected decompressor: errors are fine, panics and hangs are not.
func FuzzDetectDecompress(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("plain text"))
	f.Add([]byte("BZh9"))
	for _, a := range []Algorithm{Gzip, Zstd} {
		var buf bytes.Buffer
		w, err := a.Compress(&buf)
		if err != nil {
			f.Fatal(err)
		}
		w.Write([]byte("some layer content, some layer content"))
		w.Close()
		f.Add(buf.Bytes())
		f.Add(append(buf.Bytes(), "junk"...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReader(bytes.NewReader(data))
		a, err := Detect(br)
		if err != nil {
			return
		}
		r, err := a.Decompress(br)
		if err != nil {
			return
		}
		defer r.Close()
		io.Copy(io.Discard, io.LimitReader(r, 64<<20))
	})
}
