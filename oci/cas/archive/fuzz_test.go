package archive

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen opens arbitrary bytes (seeded with real archives) as an image
// archive: Open never panics, every cataloged member lies inside the file,
// and every blob and the index can be read (successfully or not) without
// panicking. With fix set, the checksum of every block that looks like a
// ustar header is recomputed first, so that mutated headers get past the
// checksum test and exercise the scanner rather than only tar's parser.
func FuzzOpen(f *testing.F) {
	content := "blob content"
	f.Add(tarBytes(f, file("oci-layout", okLayout), file("index.json", okIndex), file(blobName(content), content)), true)
	f.Add(tarBytes(f, file("./oci-layout", okLayout), file("./index.json", okIndex),
		file("x", content), link('1', blobName(content), "x"), link('2', blobName("y"), "x")), true)
	root := smallLayout(f)
	data, err := os.ReadFile(layoutTar(f, root))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, true)
	f.Add(data, false)
	f.Add([]byte{}, false)
	f.Add([]byte{0x1f, 0x8b, 8}, false)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, fix bool) {
		if fix {
			fixChecksums(data)
		}
		p := filepath.Join(dir, "fuzz.tar")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := Open(context.Background(), p)
		if err != nil {
			return
		}
		defer e.Close()
		size := int64(len(data))
		members := []*member{e.cat.layout, e.cat.index}
		for _, m := range e.cat.blobs {
			members = append(members, &m)
		}
		for _, m := range members {
			if m.bad == "" && (m.offset < 0 || m.size < 0 || m.offset+m.size > size) {
				t.Fatalf("member %s at %d+%d lies outside the %d-byte file", m.name, m.offset, m.size, size)
			}
		}
		_, _ = e.GetIndex(context.Background())
		blobs, err := e.ListBlobs(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range blobs {
			_, _ = e.StatBlob(context.Background(), d)
			if rc, err := e.GetBlob(context.Background(), d); err == nil {
				_, _ = io.Copy(io.Discard, rc)
				_ = rc.Close()
			}
		}
	})
}

// fixChecksums rewrites the checksum field of every 512-byte block of data
// that carries the ustar magic.
func fixChecksums(data []byte) {
	for off := 0; off+512 <= len(data); off += 512 {
		blk := data[off : off+512]
		if string(blk[257:262]) != "ustar" {
			continue
		}
		copy(blk[148:156], "        ")
		sum := 0
		for _, b := range blk {
			sum += int(b)
		}
		copy(blk[148:156], fmt.Sprintf("%06o\x00 ", sum))
	}
}
