package compress

import (
	"bufio"
	"bytes"
	"errors"
	"testing"
)

func TestByName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Algorithm
	}{
		{"none", None}, {"gzip", Gzip}, {"zstd", Zstd},
		{"auto", nil}, {"GZIP", nil}, {"", nil}, {"bzip2", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ByName(tc.name)
			if tc.want == nil {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("got %v, %v; want ErrUnsupported", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %s", got, err, tc.want.Name())
			}
		})
	}
}

func TestByMediaType(t *testing.T) {
	for _, tc := range []struct {
		mt   string
		want Algorithm
	}{
		{"application/vnd.oci.image.layer.v1.tar", None},
		{"application/vnd.oci.image.layer.v1.tar+gzip", Gzip},
		{"application/vnd.oci.image.layer.v1.tar+zstd", Zstd},
		{"application/vnd.oci.image.layer.nondistributable.v1.tar", None},
		{"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", Gzip},
		{"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", Zstd},
		{"application/vnd.docker.image.rootfs.diff.tar.gzip", Gzip},
		{"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", Gzip},
		{"application/vnd.oci.image.layer.v1.tar+bzip2", nil},
		{"application/vnd.oci.image.layer.v1.tar+", nil},
		{"application/vnd.oci.image.layer.v1.targzip", nil},
		{"application/vnd.oci.image.config.v1+json", nil},
		{"", nil},
	} {
		t.Run(tc.mt, func(t *testing.T) {
			got, err := ByMediaType(tc.mt)
			if tc.want == nil {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("got %v, %v; want ErrUnsupported", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %s", got, err, tc.want.Name())
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tarHead := make([]byte, 1024)
	copy(tarHead, "etc/passwd")
	for _, tc := range []struct {
		name    string
		input   []byte
		want    Algorithm
		refused bool
	}{
		{"gzip", compressBytes(t, Gzip, []byte("hello")), Gzip, false},
		{"zstd", compressBytes(t, Zstd, []byte("hello")), Zstd, false},
		{"tar", tarHead, None, false},
		{"empty", nil, None, false},
		{"one byte", []byte{0x1f}, None, false},
		{"bzip2", []byte("BZh91AY&SY"), nil, true},
		{"xz", []byte{0xfd, '7', 'z', 'X', 'Z', 0, 0, 4}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := bufio.NewReader(bytes.NewReader(tc.input))
			got, err := Detect(r)
			if tc.refused {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("got %v, %v; want ErrUnsupported", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %s", got, err, tc.want.Name())
			}
			if r.Buffered() != len(tc.input) {
				t.Fatalf("Detect consumed input: %d of %d bytes buffered", r.Buffered(), len(tc.input))
			}
		})
	}
}
