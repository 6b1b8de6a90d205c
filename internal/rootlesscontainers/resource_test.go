package rootlesscontainers

import (
	"bytes"
	"strings"
	"testing"
)

func TestEncodeDecodeVectors(t *testing.T) {
	tests := []struct {
		name string
		r    Resource
		wire []byte
	}{
		{name: "zero", r: Resource{}, wire: []byte{}},
		{name: "uid only", r: Resource{UID: 1000}, wire: []byte{0x08, 0xe8, 0x07}},
		{name: "gid only", r: Resource{GID: 1}, wire: []byte{0x10, 0x01}},
		{name: "both", r: Resource{UID: 1000, GID: 100}, wire: []byte{0x08, 0xe8, 0x07, 0x10, 0x64}},
		{name: "noop both", r: Resource{UID: NoopID, GID: NoopID},
			wire: []byte{0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x10, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{name: "nobody", r: Resource{UID: 65534, GID: 65534},
			wire: []byte{0x08, 0xfe, 0xff, 0x03, 0x10, 0xfe, 0xff, 0x03}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Encode(tc.r); !bytes.Equal(got, tc.wire) {
				t.Fatalf("Encode(%+v) = %x, want %x", tc.r, got, tc.wire)
			}
			got, err := Decode(tc.wire)
			if err != nil {
				t.Fatalf("Decode(%x): %v", tc.wire, err)
			}
			if got != tc.r {
				t.Fatalf("Decode(%x) = %+v, want %+v", tc.wire, got, tc.r)
			}
		})
	}
}

func TestDecodeLenient(t *testing.T) {
	tests := []struct {
		name string
		wire []byte
		want Resource
	}{
		{name: "reversed order", wire: []byte{0x10, 0x02, 0x08, 0x01}, want: Resource{UID: 1, GID: 2}},
		{name: "unknown varint field", wire: []byte{0x18, 0x05, 0x08, 0x07}, want: Resource{UID: 7}},
		{name: "unknown bytes field", wire: []byte{0x22, 0x02, 'h', 'i', 0x10, 0x03}, want: Resource{GID: 3}},
		{name: "non-minimal zero", wire: []byte{0x08, 0x80, 0x00}, want: Resource{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode(tc.wire)
			if err != nil || got != tc.want {
				t.Fatalf("Decode(%x) = %+v, %v; want %+v", tc.wire, got, err, tc.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		wire    []byte
		wantErr string
	}{
		{name: "truncated key", wire: []byte{0x88}, wantErr: "truncated"},
		{name: "truncated value", wire: []byte{0x08, 0xff}, wantErr: "truncated"},
		{name: "uid overflow", wire: []byte{0x08, 0x80, 0x80, 0x80, 0x80, 0x10}, wantErr: "overflows uint32"},
		{name: "uid wrong wire", wire: []byte{0x0d, 1, 2, 3, 4}, wantErr: "wrong wire type"},
		{name: "field zero", wire: []byte{0x00, 0x01}, wantErr: "field number 0"},
		{name: "bytes truncated", wire: []byte{0x22, 0x05, 'a'}, wantErr: "truncated"},
		{name: "bad wire type", wire: []byte{0x0b}, wantErr: "unsupported wire type"},
		{name: "varint too long", wire: bytes.Repeat([]byte{0xff}, 11), wantErr: "overflows 64 bits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.wire)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Decode(%x) error = %v, want containing %q", tc.wire, err, tc.wantErr)
			}
		})
	}
}
