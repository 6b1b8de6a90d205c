package archive

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"testing"

	"github.com/opencontainers/go-digest"
)

// FuzzOpen opens arbitrary bytes (seeded with real archives) as an image
// archive: Open never panics, every cataloged member lies inside the file,
// and every blob and the index can be read (successfully or not) without
// panicking. With fix set, the checksum of every block that looks like a
// ustar header is recomputed first (on a copy: the engine's input must not
// change), so that mutated headers get past the checksum test and exercise
// the scanner rather than only tar's parser.
//
// The archive is read from memory through openReader, the part of Open
// after the file is opened: no file per input, and nothing that depends on
// anything but the input, so the fuzzer's coverage is deterministic. The
// input is the archive with its runs of zeros packed (see unpackZeros): a
// tar is mostly zero padding, and Go's minimizer, which runs on every input
// that finds new coverage, is quadratic in the input's length (a 4 KiB tar
// kept a worker minimizing for a minute, fuzzing nothing).
func FuzzOpen(f *testing.F) {
	content := "blob content"
	f.Add(packZeros(tarBytes(f, file("oci-layout", okLayout), file("index.json", okIndex), file(blobName(content), content))), true)
	f.Add(packZeros(tarBytes(f, file("./oci-layout", okLayout), file("./index.json", okIndex),
		file("x", content), link('1', blobName(content), "x"), link('2', blobName("y"), "x"))), true)
	f.Add(packZeros(withLayout(f, okIndex, rawMember("harmless.txt", content, "path", blobName(content)))), false)
	// docker save style: directories, extra members, a hard link into blobs/.
	// (A real layout, layers and all, makes a seed of tens of KiB: every
	// mutation of it is slow to run and very slow to minimize.)
	f.Add(packZeros(tarBytes(f, link('5', "blobs/", ""), link('5', "blobs/sha256/", ""),
		file("legacy/layer.tar", content), link('1', blobName(content), "./legacy/layer.tar"),
		link('2', "old/layer.tar", "../"+blobName(content)), file("manifest.json", `[{"Config":"x"}]`),
		file("index.json", `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
			`"digest":"`+digest.FromString(content).String()+`","size":12}]}`),
		file("oci-layout", okLayout))), true)
	// Legacy docker save style: no oci-layout, manifest.json naming a config
	// and layer members, one of them through a symlink.
	cfg := `{"rootfs":{"diff_ids":["` + digest.FromString(content).String() + `"]}}`
	f.Add(packZeros(tarBytes(f, file("c.json", cfg), file("a/layer.tar", content), link('2', "b/layer.tar", "../a/layer.tar"),
		file("manifest.json", `[{"Config":"c.json","RepoTags":["x:1"],"Layers":["b/layer.tar"]}]`))), true)
	f.Add([]byte{}, false)
	f.Add([]byte{0x1f, 0x8b, 8}, false)
	f.Fuzz(func(t *testing.T, packed []byte, fix bool) {
		data := unpackZeros(packed) // a new slice: packed is left alone
		if fix {
			fixChecksums(data)
		}
		ctx := context.Background()
		e, err := openReader(ctx, bytes.NewReader(data), int64(len(data)), "fuzz.tar")
		if err != nil {
			return
		}
		defer e.Close()
		size := int64(len(data))
		members := []*member{e.cat.layout, e.cat.index} // both nil in a legacy archive
		for _, d := range slices.Sorted(maps.Keys(e.cat.blobs)) {
			m := e.cat.blobs[d]
			members = append(members, &m)
		}
		for _, m := range members {
			if m == nil || m.mem != nil {
				continue
			}
			if m.bad == "" && (m.offset < 0 || m.size < 0 || m.offset+m.size > size) {
				t.Fatalf("member %s at %d+%d lies outside the %d-byte file", m.name, m.offset, m.size, size)
			}
		}
		_, _ = e.GetIndex(ctx)
		blobs, err := e.ListBlobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range blobs {
			_, _ = e.StatBlob(ctx, d)
			if rc, err := e.GetBlob(ctx, d); err == nil {
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

// unpackZeros expands packed fuzz input: a zero byte followed by a count
// byte c stands for c+1 zero bytes (a zero byte at the very end for one);
// every other byte stands for itself.
func unpackZeros(packed []byte) []byte {
	out := make([]byte, 0, 4*len(packed))
	for i := 0; i < len(packed); i++ {
		if packed[i] != 0 {
			out = append(out, packed[i])
			continue
		}
		n := 1
		if i+1 < len(packed) {
			i++
			n = int(packed[i]) + 1
		}
		out = append(out, make([]byte, n)...)
	}
	return out
}

// packZeros is the inverse of unpackZeros.
func packZeros(data []byte) []byte {
	var out []byte
	for i := 0; i < len(data); {
		if data[i] != 0 {
			out = append(out, data[i])
			i++
			continue
		}
		n := 0
		for i+n < len(data) && data[i+n] == 0 && n < 256 {
			n++
		}
		out = append(out, 0, byte(n-1))
		i += n
	}
	return out
}

// TestPackZeros: packing is undone exactly, and shrinks a tar a lot (which
// is what keeps FuzzOpen's inputs small).
func TestPackZeros(t *testing.T) {
	data := tarBytes(t, file("oci-layout", okLayout), file("index.json", okIndex), file(blobName("b"), "b"))
	packed := packZeros(data)
	if got := unpackZeros(packed); !bytes.Equal(got, data) {
		t.Fatalf("round trip of %d bytes gave %d bytes", len(data), len(got))
	}
	if len(packed)*4 > len(data) {
		t.Fatalf("packed %d bytes into %d", len(data), len(packed))
	}
	if _, err := openReader(t.Context(), bytes.NewReader(unpackZeros(packed)), int64(len(data)), "seed"); err != nil {
		t.Fatalf("open the unpacked seed: %v", err)
	}
	for _, tc := range []struct{ in, want []byte }{
		{nil, []byte{}}, {[]byte{0}, []byte{0}}, {[]byte{0, 2, 7}, []byte{0, 0, 0, 7}}, {[]byte{5, 0, 0}, []byte{5, 0}},
	} {
		if got := unpackZeros(tc.in); !bytes.Equal(got, tc.want) {
			t.Errorf("unpackZeros(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
