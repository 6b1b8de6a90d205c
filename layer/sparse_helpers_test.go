package layer

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// sparseFrag is one data fragment of a sparse entry.
type sparseFrag struct {
	off  int64
	data string
}

// sparseFormats are the GNU sparse encodings archive/tar reads.
var sparseFormats = []string{"gnu", "pax0.0", "pax0.1", "pax1.0"}

// sparseTar writes one sparse entry name of logical size size holding frags
// (sorted, not overlapping) in format (one of sparseFormats), the way GNU
// tar does: the map ends with an empty fragment at the logical size (without
// it, archive/tar does not recognise an all-hole PAX 0.x entry as sparse).
// archive/tar cannot write sparse entries, so the headers are made by hand.
func sparseTar(t *testing.T, format, name string, size int64, frags []sparseFrag) []byte {
	t.Helper()
	frags = append(frags[:len(frags):len(frags)], sparseFrag{off: size})
	var data strings.Builder
	for _, f := range frags {
		data.WriteString(f.data)
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: "GNUSparseFile.0/" + name, Mode: 0o644, Format: tar.FormatUSTAR}
	var recs []string
	switch format {
	case "gnu":
		return gnuSparseTar(t, name, size, frags)
	case "pax0.0":
		hdr.Name = name
		recs = append(recs, "GNU.sparse.size="+strconv.FormatInt(size, 10), "GNU.sparse.numblocks="+strconv.Itoa(len(frags)))
		for _, f := range frags {
			recs = append(recs, "GNU.sparse.offset="+strconv.FormatInt(f.off, 10), "GNU.sparse.numbytes="+strconv.Itoa(len(f.data)))
		}
	case "pax0.1":
		var m []string
		for _, f := range frags {
			m = append(m, strconv.FormatInt(f.off, 10), strconv.Itoa(len(f.data)))
		}
		recs = append(recs, "GNU.sparse.size="+strconv.FormatInt(size, 10), "GNU.sparse.numblocks="+strconv.Itoa(len(frags)),
			"GNU.sparse.name="+name, "GNU.sparse.map="+strings.Join(m, ","))
	case "pax1.0":
		recs = append(recs, "GNU.sparse.major=1", "GNU.sparse.minor=0", "GNU.sparse.name="+name,
			"GNU.sparse.realsize="+strconv.FormatInt(size, 10))
		m := strconv.Itoa(len(frags)) + "\n"
		for _, f := range frags {
			m += fmt.Sprintf("%d\n%d\n", f.off, len(f.data))
		}
		m += strings.Repeat("\x00", (512-len(m)%512)%512)
		s := data.String()
		data.Reset()
		data.WriteString(m + s)
	default:
		t.Fatalf("unknown sparse format %q", format)
	}
	hdr.Size = int64(data.Len())
	return paxStream(t, hdr, data.String(), recs...)
}

// gnuSparseTar writes an old GNU sparse entry (type 'S'): up to 4 map
// entries in the header, 21 more per extension block.
func gnuSparseTar(t *testing.T, name string, size int64, frags []sparseFrag) []byte {
	t.Helper()
	var phys int64
	for _, f := range frags {
		phys += int64(len(f.data))
	}
	blk := make([]byte, 512)
	copy(blk[0:100], name)
	copy(blk[100:], "0000644\x000000000\x000000000\x00")
	gnuNumeric(blk[124:136], phys)
	gnuNumeric(blk[136:148], 1_700_000_000)
	blk[156] = tar.TypeGNUSparse
	copy(blk[257:265], "ustar  \x00")
	gnuNumeric(blk[483:495], size)
	putMap := func(b []byte, n int, fs []sparseFrag) []sparseFrag {
		for i := 0; i < n && len(fs) > 0; i++ {
			gnuNumeric(b[i*24:i*24+12], fs[0].off)
			gnuNumeric(b[i*24+12:i*24+24], int64(len(fs[0].data)))
			fs = fs[1:]
		}
		return fs
	}
	rest := putMap(blk[386:], 4, frags)
	var out bytes.Buffer
	if len(rest) > 0 {
		blk[482] = 1
	}
	fixChecksum(blk)
	out.Write(blk)
	for len(rest) > 0 {
		ext := make([]byte, 512)
		if rest = putMap(ext, 21, rest); len(rest) > 0 {
			ext[504] = 1
		}
		out.Write(ext)
	}
	for _, f := range frags {
		out.WriteString(f.data)
	}
	out.Write(make([]byte, (512-out.Len()%512)%512+1024))
	return out.Bytes()
}

// gnuNumeric formats v into field as NUL-terminated octal, or base-256 when
// it does not fit (as GNU tar does).
func gnuNumeric(field []byte, v int64) {
	if len(strconv.FormatInt(v, 8)) < len(field) {
		copy(field, fmt.Sprintf("%0*o\x00", len(field)-1, v))
		return
	}
	clear(field)
	binary.BigEndian.PutUint64(field[len(field)-8:], uint64(v))
	field[0] = 0x80
}

// sparseContent is the logical content of a sparse file (holes as zeros).
func sparseContent(size int64, frags []sparseFrag) []byte {
	b := make([]byte, size)
	for _, f := range frags {
		copy(b[f.off:], f.data)
	}
	return b
}

// allocated returns the disk space used by the file at p.
func allocated(t testing.TB, p string) int64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(p, &st); err != nil {
		t.Fatalf("stat %s: %v", p, err)
	}
	return st.Blocks * 512
}

// holesSupported reports whether the filesystem of dir keeps holes: a
// control file of 1 MiB made by truncation must use (almost) no blocks.
func holesSupported(t testing.TB, dir string) bool {
	t.Helper()
	p := filepath.Join(dir, "hole-control")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(p)
	defer f.Close()
	if _, err := f.WriteAt([]byte{1}, 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	return allocated(t, p) < 256<<10
}

// dataBlockBytes is the disk space a hole-aware writer needs for content:
// one holeBlockSize block per aligned block holding a non-zero byte.
func dataBlockBytes(content []byte) int64 {
	var n int64
	for off := 0; off < len(content); off += holeBlockSize {
		blk := content[off:min(off+holeBlockSize, len(content))]
		if !bytes.Equal(blk, zeroBlock[:len(blk)]) {
			n += holeBlockSize
		}
	}
	return n
}
