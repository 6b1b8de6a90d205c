package archive

import (
	"bytes"
	"errors"
	"io"

	"github.com/lade-oci/lade/oci/cas"
)

// compressions are the magic numbers of compressed archives, with the
// command that undoes each.
var compressions = []struct {
	name, tool string
	magic      []byte
}{
	{"gzip", "gunzip", []byte{0x1f, 0x8b}},
	{"zstd", "zstd -d", []byte{0x28, 0xb5, 0x2f, 0xfd}},
	{"bzip2", "bunzip2", []byte("BZh")},
	{"xz", "unxz", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}},
}

// checkCompressed refuses an archive that starts with a compression magic
// number: the layout tar must be read directly.
func checkCompressed(r io.ReaderAt, shown string) error {
	head := make([]byte, 6)
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return archiveErr(err, nil, "read %s: %v", shown, err)
	}
	for _, c := range compressions {
		if bytes.HasPrefix(head[:n], c.magic) {
			return archiveErr(cas.ErrInvalid, nil, "%s is %s-compressed; decompress it first (e.g. %s) and use the .tar",
				shown, c.name, c.tool)
		}
	}
	return nil
}
