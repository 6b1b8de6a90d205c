package compress

import (
	"bufio"
	"bytes"
	"io"
	"testing"
)

// FuzzDetectDecompress feeds arbitrary bytes through detection and the
// detected decompressor, read ahead, inline and from memory, which must agree: errors
// are fine, panics and hangs are not.
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
		rest, _ := io.ReadAll(br)
		var outs [3][]byte
		var errs [3]error
		for i, m := range decompressModes {
			r, err := m.open(a, bytes.NewReader(rest))
			if err != nil {
				errs[i] = err
				continue
			}
			outs[i], errs[i] = io.ReadAll(io.LimitReader(r, 64<<20))
			r.Close()
		}
		for i := 1; i < len(outs); i++ {
			if (errs[0] == nil) != (errs[i] == nil) || errs[0] == nil && !bytes.Equal(outs[0], outs[i]) {
				t.Fatalf("read ahead: %d bytes, %v; %s: %d bytes, %v", len(outs[0]), errs[0], decompressModes[i].name, len(outs[i]), errs[i])
			}
		}
	})
}
