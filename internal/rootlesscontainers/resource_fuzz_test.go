package rootlesscontainers

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode: it must never panic, and what
// it accepts must survive an Encode/Decode round trip unchanged.
func FuzzDecode(f *testing.F) {
	for _, b := range [][]byte{
		nil,
		Encode(Resource{UID: 1000, GID: 1000}),
		Encode(Resource{UID: NoopID, GID: NoopID}),
		{0x08, 0x80, 0x80, 0x80, 0x80, 0x10},                               // uid overflowing uint32
		{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, // varint overflowing 64 bits
		{0x1a, 0x03, 'a', 'b', 'c', 0x10, 0x05},                            // unknown bytes field, then gid
		{0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f},                               // huge length
		{0x21, 1, 2, 3, 4, 5, 6, 7, 8},                                     // unknown fixed64
		{0x25, 1, 2, 3},                                                    // truncated fixed32
		{0x00},                                                             // field 0
		{0x0b},                                                             // start group
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(b)
		if err != nil {
			return
		}
		enc := Encode(r)
		again, err := Decode(enc)
		if err != nil || again != r {
			t.Fatalf("Decode(%x) = %+v; Decode(Encode) = %+v, %v", b, r, again, err)
		}
		if !bytes.Equal(Encode(again), enc) {
			t.Fatalf("Encode not deterministic for %+v", r)
		}
	})
}

// FuzzEncode checks Decode(Encode(r)) == r for every Resource.
func FuzzEncode(f *testing.F) {
	f.Add(uint32(0), uint32(0))
	f.Add(uint32(1000), NoopID)
	f.Add(uint32(127), uint32(128))
	f.Fuzz(func(t *testing.T, uid, gid uint32) {
		r := Resource{UID: uid, GID: gid}
		got, err := Decode(Encode(r))
		if err != nil || got != r {
			t.Fatalf("Decode(Encode(%+v)) = %+v, %v", r, got, err)
		}
	})
}
