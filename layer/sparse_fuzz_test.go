package layer

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fuzzSparseMaxSize bounds the logical size the fuzzer may declare, so each
// input runs in milliseconds.
const fuzzSparseMaxSize = 4 << 20

// fuzzSparseStream builds one sparse entry "f" in format kind%4 (0.0, 0.1,
// 1.0, old GNU) from a comma-separated map that may be malformed.
func fuzzSparseStream(t *testing.T, kind uint8, size int64, sparseMap string, data []byte) []byte {
	toks := strings.Split(sparseMap, ",")
	if len(toks) > 64 {
		toks = toks[:64]
	}
	sz := strconv.FormatInt(size, 10)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: "GNUSparseFile.0/f", Mode: 0o644, Size: int64(len(data)), Format: tar.FormatUSTAR}
	switch kind % 4 {
	case 0:
		hdr.Name = "f"
		recs := []string{"GNU.sparse.size=" + sz, "GNU.sparse.numblocks=" + strconv.Itoa(len(toks)/2)}
		for i, tok := range toks {
			key := "GNU.sparse.offset="
			if i%2 == 1 {
				key = "GNU.sparse.numbytes="
			}
			recs = append(recs, key+tok)
		}
		return paxStream(t, hdr, string(data), recs...)
	case 1:
		return paxStream(t, hdr, string(data), "GNU.sparse.size="+sz, "GNU.sparse.numblocks="+strconv.Itoa(len(toks)/2),
			"GNU.sparse.name=f", "GNU.sparse.map="+strings.Join(toks, ","))
	case 2:
		m := strconv.Itoa(len(toks)/2) + "\n" + strings.Join(toks, "\n") + "\n"
		m += strings.Repeat("\x00", (512-len(m)%512)%512)
		hdr.Size += int64(len(m))
		return paxStream(t, hdr, m+string(data), "GNU.sparse.major=1", "GNU.sparse.minor=0", "GNU.sparse.name=f", "GNU.sparse.realsize="+sz)
	}
	var frags []sparseFrag
	var phys int64
	for i := 0; i+1 < len(toks); i += 2 {
		off, err1 := strconv.ParseInt(toks[i], 10, 64)
		n, err2 := strconv.ParseInt(toks[i+1], 10, 64)
		if err1 != nil || err2 != nil || n < 0 || n > int64(len(data))-phys {
			break
		}
		frags = append(frags, sparseFrag{off, string(data[phys : phys+n])})
		phys += n
	}
	return gnuSparseTar(t, "f", size, frags)
}

// FuzzUnpackSparse: whatever the sparse map and data, unpacking never
// panics nor touches anything outside root, and a file it writes holds
// exactly the logical content archive/tar reads for the entry.
func FuzzUnpackSparse(f *testing.F) {
	f.Add(uint8(0), int64(100), "10,4,50,0", []byte("data"))
	f.Add(uint8(1), int64(1<<20), "0,3,8192,3,1048576,0", []byte("abcdef"))
	f.Add(uint8(2), int64(5000), "4096,4", []byte("\x00\x00\x00x"))
	f.Add(uint8(3), int64(70000), "0,1,65536,2,70000,0", []byte("xyz"))
	f.Add(uint8(1), int64(100), "0,10,5,10", []byte("01234567890123456789"))
	f.Add(uint8(2), int64(100), "99999999999999", []byte(""))
	f.Add(uint8(0), int64(-1), "0", []byte("x"))
	f.Fuzz(func(t *testing.T, kind uint8, size int64, sparseMap string, data []byte) {
		if size > fuzzSparseMaxSize || len(data) > 1<<16 {
			t.Skip()
		}
		stream := fuzzSparseStream(t, kind, size, sparseMap, data)
		e := newBreakoutEnv(t, t.TempDir())
		err := UnpackLayer(t.Context(), e.root, bytes.NewReader(stream), nil)
		e.check(t)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		tr := tar.NewReader(bytes.NewReader(stream))
		hdr, rerr := tr.Next()
		if rerr != nil {
			t.Fatalf("unpack succeeded where archive/tar fails: %v", rerr)
		}
		want, rerr := io.ReadAll(io.LimitReader(tr, fuzzSparseMaxSize+1))
		if rerr != nil {
			t.Fatalf("unpack succeeded where archive/tar fails to read: %v", rerr)
		}
		got, rerr := os.ReadFile(filepath.Join(e.root, filepath.Clean("/"+hdr.Name)))
		if rerr != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s holds %d bytes (%v), archive/tar reads %d", hdr.Name, len(got), rerr, len(want))
		}
	})
}
