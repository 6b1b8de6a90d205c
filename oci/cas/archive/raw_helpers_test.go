package archive

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"
)

// rawHeader is a hand-made ustar header block for name of type flag with
// size written in octal, or in base-256 when b256 is set (which also allows
// negative sizes); the checksum is valid. archive/tar's writer refuses what
// these tests need (PAX path records, negative sizes).
func rawHeader(name string, flag byte, size int64, b256 bool) []byte {
	blk := make([]byte, 512)
	copy(blk[0:100], name)
	copy(blk[100:], "0000644\x000000000\x000000000\x00")
	if b256 {
		binary.BigEndian.PutUint64(blk[128:136], uint64(size))
		if size < 0 {
			for i := 125; i < 128; i++ {
				blk[i] = 0xff
			}
		}
		blk[124] |= 0x80
	} else {
		copy(blk[124:136], fmt.Sprintf("%011o\x00", size))
	}
	copy(blk[136:148], "14000000000\x00")
	blk[156] = flag
	copy(blk[257:265], "ustar\x0000")
	fixChecksums(blk)
	return blk
}

// padded is data followed by zeros up to a multiple of 512 bytes.
func padded(data string) []byte {
	b := []byte(data)
	return append(b, make([]byte, (512-len(b)%512)%512)...)
}

// paxRecords is the content of a PAX extended header holding recs (key,
// value pairs).
func paxRecords(recs ...string) string {
	var out string
	for i := 0; i+1 < len(recs); i += 2 {
		rec := " " + recs[i] + "=" + recs[i+1] + "\n"
		n := len(rec) + 1
		for len(strconv.Itoa(n))+len(rec) != n {
			n++
		}
		out += strconv.Itoa(n) + rec
	}
	return out
}

// rawMember is a regular member made by hand: an optional PAX header with
// recs, then the ustar header of name and the padded content.
func rawMember(name, content string, recs ...string) []byte {
	var b bytes.Buffer
	if len(recs) > 0 {
		pax := paxRecords(recs...)
		b.Write(rawHeader("PaxHeaders/"+name, 'x', int64(len(pax)), false))
		b.Write(padded(pax))
	}
	b.Write(rawHeader(name, '0', int64(len(content)), false))
	b.Write(padded(content))
	return b.Bytes()
}

// withLayout is a tar stream: oci-layout and index.json (index being its
// content), then the raw members, then the end-of-archive marker.
func withLayout(t testing.TB, index string, raw ...[]byte) []byte {
	t.Helper()
	head := tarBytes(t, file("oci-layout", okLayout), file("index.json", index))
	out := append([]byte{}, head[:len(head)-1024]...)
	for _, r := range raw {
		out = append(out, r...)
	}
	return append(out, make([]byte, 1024)...)
}
