package layer

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lade-oci/lade/layer/layertest"
	"github.com/opencontainers/go-digest"
)

// sparseData is n bytes of non-zero data.
func sparseData(n int, seed byte) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 1 + byte((i*7+int(seed))%255)
	}
	return string(b)
}

// TestUnpackSparse: every sparse format with data at the start, middle and
// end, no data, no holes and zeros inside data unpacks to a regular file of
// the logical size and content, recorded with the digest of that content,
// using disk blocks only for the data.
func TestUnpackSparse(t *testing.T) {
	var many []sparseFrag // more than the 4 map entries of an old GNU header
	for i := range 30 {
		many = append(many, sparseFrag{int64(i) * 65536, sparseData(100+i, byte(i))})
	}
	layouts := []struct {
		name  string
		size  int64
		frags []sparseFrag
	}{
		{"data at start", 1 << 20, []sparseFrag{{0, sparseData(10000, 1)}}},
		{"data in middle", 3 << 20, []sparseFrag{{1<<20 + 5, sparseData(6000, 2)}}},
		{"data at end aligned", 2 << 20, []sparseFrag{{2<<20 - 4096, sparseData(4096, 3)}}},
		{"data at end unaligned", 2<<20 + 3, []sparseFrag{{2 << 20, "end"}}},
		{"several fragments", 1 << 20, []sparseFrag{{0, "a"}, {4096, sparseData(5000, 4)}, {9096, "adjacent"}, {700000, sparseData(100, 5)}}},
		{"many fragments", 2 << 20, many},
		{"all hole", 5 << 20, nil},
		{"empty", 0, nil},
		{"zeros inside data", 64 << 10, []sparseFrag{{0, sparseData(4096, 6) + strings.Repeat("\x00", 8192) + sparseData(100, 7)}}},
		{"no holes", 100 << 10, []sparseFrag{{0, sparseData(100<<10, 8)}}},
	}
	holes := holesSupported(t, t.TempDir())
	if !holes {
		t.Log("filesystem keeps no holes: disk usage not checked")
	}
	for _, format := range sparseFormats {
		for _, l := range layouts {
			t.Run(format+"/"+l.name, func(t *testing.T) {
				root := newRoot(t)
				dc := &DigestCache{}
				stream := sparseTar(t, format, "f", l.size, l.frags)
				if err := UnpackLayer(t.Context(), root, bytes.NewReader(stream), &UnpackOptions{Digests: dc}); err != nil {
					t.Fatalf("unpack: %v", err)
				}
				p := filepath.Join(root, "f")
				fi, st := lstat(t, p)
				if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 || fi.Size() != l.size {
					t.Fatalf("f: mode %v size %d, want regular 0644 of %d bytes", fi.Mode(), fi.Size(), l.size)
				}
				want := sparseContent(l.size, l.frags)
				got, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("content differs from the logical content (%d bytes read)", len(got))
				}
				if d, ok := dc.Lookup(st.Ino, l.size); !ok || d != digest.FromBytes(want) {
					t.Fatalf("recorded digest %q (%v), want %q", d, ok, digest.FromBytes(want))
				}
				if used, max := allocated(t, p), dataBlockBytes(want)+8<<10; holes && used > max {
					t.Fatalf("f uses %d bytes on disk, want at most %d", used, max)
				}
			})
		}
	}
}

// TestUnpackSparseLarge: an 8 GiB sparse file with 1 MiB of data unpacks
// in about a second and uses about 1 MiB on disk.
func TestUnpackSparseLarge(t *testing.T) {
	const size = 8 << 30
	var frags []sparseFrag
	for i := range int64(16) {
		frags = append(frags, sparseFrag{i*(size/16) + i*4096, sparseData(64<<10, byte(i))})
	}
	holes := holesSupported(t, t.TempDir())
	for _, format := range sparseFormats {
		t.Run(format, func(t *testing.T) {
			root := newRoot(t)
			stream := sparseTar(t, format, "big", size, frags)
			start := time.Now()
			if err := UnpackLayer(t.Context(), root, bytes.NewReader(stream), nil); err != nil {
				t.Fatalf("unpack: %v", err)
			}
			p := filepath.Join(root, "big")
			used := allocated(t, p)
			t.Logf("%d-byte layer: 8 GiB file in %v, %d KiB on disk", len(stream), time.Since(start).Round(time.Millisecond), used>>10)
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if fi, err := f.Stat(); err != nil || fi.Size() != size {
				t.Fatalf("size %v (%v), want %d", fi.Size(), err, int64(size))
			}
			buf := make([]byte, 64<<10)
			for _, fr := range frags {
				if _, err := f.ReadAt(buf, fr.off); err != nil || string(buf) != fr.data {
					t.Fatalf("data at %d differs (%v)", fr.off, err)
				}
				if _, err := f.ReadAt(buf, fr.off+256<<20); err != nil || !bytes.Equal(buf, make([]byte, len(buf))) {
					t.Fatalf("hole at %d is not zeros (%v)", fr.off+256<<20, err)
				}
			}
			if holes && used > 1<<20+64<<10 {
				t.Fatalf("uses %d bytes on disk, want about 1 MiB", used)
			}
		})
	}
}

// TestUnpackSparseLimit: a layer whose sparse files would exceed 64 GiB in
// total fails at once with a one-line error, and the refused file is not
// created.
func TestUnpackSparseLimit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format string
		size   int64
	}{
		{"pax just over", "pax0.1", maxSparseLayerSize + 1},
		{"pax1.0 huge", "pax1.0", 1 << 62},
		{"old gnu base-256 size", "gnu", 1 << 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := newRoot(t)
			stream := sparseTar(t, tc.format, "bomb", tc.size, []sparseFrag{{tc.size - 1, "x"}})
			start := time.Now()
			err := UnpackLayer(t.Context(), root, bytes.NewReader(stream), nil)
			if !errors.Is(err, errSparseLimit) {
				t.Fatalf("unpack error = %v, want %v", err, errSparseLimit)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("refusing took %v", d)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.Contains(msg, `"GNUSparseFile.0/bomb"`) && !strings.Contains(msg, `"bomb"`) {
				t.Fatalf("error %q: want one line naming the entry", msg)
			}
			assertMissing(t, filepath.Join(root, "bomb"))
		})
	}
}

// TestReserveSparse: the budget is per layer and counts every sparse entry.
func TestReserveSparse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []int64
		fail  int // index of the refused entry, -1 for none
	}{
		{"exactly the limit", []int64{maxSparseLayerSize}, -1},
		{"one byte over", []int64{maxSparseLayerSize + 1}, 0},
		{"sum over", []int64{maxSparseLayerSize / 2, maxSparseLayerSize / 4, maxSparseLayerSize / 4, 1}, 3},
		{"sum at limit", []int64{maxSparseLayerSize / 2, maxSparseLayerSize / 2, 0}, -1},
		{"negative", []int64{-1}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &unpacker{}
			fail := -1
			for i, s := range tc.sizes {
				if err := u.reserveSparse(&tar.Header{Size: s}); err != nil {
					if !errors.Is(err, errSparseLimit) {
						t.Fatalf("error %v does not wrap errSparseLimit", err)
					}
					fail = i
					break
				}
			}
			if fail != tc.fail {
				t.Fatalf("refused entry %d, want %d", fail, tc.fail)
			}
		})
	}
}

// errNone marks the control case of TestUnpackSparseMalformed: it must
// unpack.
var errNone = errors.New("no error")

// TestUnpackSparseMalformed: broken sparse maps and data that does not match
// the map fail cleanly (one line, nothing outside root touched, no panic).
func TestUnpackSparseMalformed(t *testing.T) {
	reg := func(data string) *tar.Header {
		return &tar.Header{Typeflag: tar.TypeReg, Name: "f", Mode: 0o644, Size: int64(len(data)), Format: tar.FormatUSTAR}
	}
	pax := func(data string, recs ...string) func(t *testing.T) [][]byte {
		return func(t *testing.T) [][]byte { return [][]byte{paxStream(t, reg(data), data, recs...)} }
	}
	v01 := func(size, n, m string) []string {
		return []string{"GNU.sparse.major=0", "GNU.sparse.minor=1", "GNU.sparse.size=" + size, "GNU.sparse.numblocks=" + n, "GNU.sparse.map=" + m}
	}
	v10 := []string{"GNU.sparse.major=1", "GNU.sparse.minor=0", "GNU.sparse.realsize=100"}
	pad := func(s string) string { return s + strings.Repeat("\x00", (512-len(s)%512)%512) }
	gnu := func(patch func(b []byte) []byte) func(t *testing.T) [][]byte {
		return func(t *testing.T) [][]byte {
			b := patch(gnuSparseTar(t, "f", 100, []sparseFrag{{10, "data"}}))
			fixChecksum(b[:512])
			return [][]byte{b}
		}
	}
	ten := strings.Repeat("d", 10)
	for _, tc := range []hostileCase{
		{name: "control: valid map", raw: pax(ten, v01("100", "1", "10,10")...), wantErr: errNone,
			check: wantRegular("f", strings.Repeat("\x00", 10)+ten+strings.Repeat("\x00", 80))},
		{name: "map with odd count", raw: pax(ten, v01("100", "1", "0,10,20")...)},
		{name: "map not a number", raw: pax(ten, v01("100", "1", "0,x")...)},
		{name: "numblocks mismatch", raw: pax(ten, v01("100", "2", "0,10")...)},
		{name: "overlapping fragments", raw: pax(ten+ten, v01("100", "2", "0,10,5,10")...)},
		{name: "fragments out of order", raw: pax(ten+ten, v01("100", "2", "50,10,0,10")...)},
		{name: "fragment beyond size", raw: pax(ten, v01("100", "1", "95,10")...)},
		{name: "negative offset", raw: pax(ten, v01("100", "1", "-5,10")...)},
		{name: "offset overflow", raw: pax(ten, v01("100", "1", "9223372036854775807,10")...)},
		{name: "size not a number", raw: pax(ten, v01("1e3", "1", "0,10")...)},
		{name: "negative size", raw: pax(ten, v01("-1", "1", "0,10")...)},
		{name: "missing data", raw: pax(ten, v01("100", "1", "0,50")...)},
		{name: "unreferenced data", raw: pax(ten+ten, v01("100", "1", "0,10")...)},
		{name: "0.0 offset without numbytes", raw: pax(ten, "GNU.sparse.size=100", "GNU.sparse.numblocks=1", "GNU.sparse.offset=0", "GNU.sparse.offset=5")},
		{name: "0.0 numbytes first", raw: pax(ten, "GNU.sparse.size=100", "GNU.sparse.numblocks=1", "GNU.sparse.numbytes=10", "GNU.sparse.offset=0")},
		{name: "1.0 map not a number", raw: pax(pad("1\nzero\n10\n")+ten, v10...)},
		{name: "1.0 map truncated", raw: pax("3\n0\n", v10...)},
		{name: "1.0 huge entry count", raw: pax(pad("99999999999999\n")+ten, v10...)},
		{name: "1.0 negative count", raw: pax(pad("-1\n")+ten, v10...)},
		{name: "old gnu map not a number", raw: gnu(replaceOnce(t, "00000000012\x00", "0000000zz12\x00"))},
		{name: "old gnu fragment beyond size", raw: gnu(func(b []byte) []byte { gnuNumeric(b[386:398], 99); return b })},
		{name: "old gnu extension missing", raw: gnu(func(b []byte) []byte { b[482] = 1; return b[:512] })},
		{name: "old gnu star format", raw: gnu(func(b []byte) []byte { copy(b[257:265], "ustar\x0000"); return b })},
		{name: "over the limit", raw: pax(ten, v01("2199023255552", "1", "0,10")...), wantErr: errSparseLimit},
	} {
		switch tc.wantErr {
		case nil:
			tc.wantErr = errAny
		case errNone:
			tc.wantErr = nil
		}
		runHostile(t, tc)
	}
}

// TestUnpackSparseGNUTar checks archives made by GNU tar itself, when it is
// installed: content and holes survive for every sparse format it writes.
func TestUnpackSparseGNUTar(t *testing.T) {
	tarBin, err := exec.LookPath("tar")
	if err != nil {
		t.Skip("no tar in PATH")
	}
	if out, err := exec.CommandContext(t.Context(), tarBin, "--version").Output(); err != nil || !bytes.Contains(out, []byte("GNU tar")) {
		t.Skip("tar is not GNU tar")
	}
	src := t.TempDir()
	if !holesSupported(t, src) {
		t.Skip("filesystem keeps no holes: tar would see no sparse file")
	}
	const size = 16<<20 + 3
	frags := []sparseFrag{{0, "head"}, {3 << 20, sparseData(64<<10, 9)}, {size - 3, "end"}}
	want := sparseContent(size, frags)
	f, err := os.Create(filepath.Join(src, "f"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range frags {
		if _, err := f.WriteAt([]byte(fr.data), fr.off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, args string }{
		{"gnu", "--format=gnu"},
		{"pax0.0", "--format=posix --sparse-version=0.0"},
		{"pax0.1", "--format=posix --sparse-version=0.1"},
		{"pax1.0", "--format=posix --sparse-version=1.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			archive := filepath.Join(t.TempDir(), "layer.tar")
			args := append([]string{"--sparse", "-C", src, "-cf", archive}, strings.Fields(tc.args)...)
			if out, err := exec.CommandContext(t.Context(), tarBin, append(args, "f")...).CombinedOutput(); err != nil {
				t.Skipf("tar cannot write %s: %v: %s", tc.name, err, out)
			}
			stream, err := os.ReadFile(archive)
			if err != nil {
				t.Fatal(err)
			}
			if len(stream) > 128<<10 {
				t.Fatalf("tar wrote %d bytes: not a sparse archive", len(stream))
			}
			root := newRoot(t)
			if err := UnpackLayer(t.Context(), root, bytes.NewReader(stream), nil); err != nil {
				t.Fatalf("unpack: %v", err)
			}
			p := filepath.Join(root, "f")
			if got := readFile(t, p); got != string(want) {
				t.Fatalf("content differs (%d bytes, want %d)", len(got), len(want))
			}
			if used, max := allocated(t, p), dataBlockBytes(want)+8<<10; used > max {
				t.Fatalf("uses %d bytes on disk, want at most %d", used, max)
			}
		})
	}
}

// TestUnpackSparseMtree: the mtree walk of an unpacked sparse file sees its
// logical size and content, and repacking it yields a plain regular entry
// with the same content.
func TestUnpackSparseMtree(t *testing.T) {
	const size = 4<<20 + 100
	frags := []sparseFrag{{1 << 20, sparseData(5000, 1)}, {size - 10, sparseData(10, 2)}}
	want := sparseContent(size, frags)
	root := newRoot(t)
	if err := UnpackLayer(t.Context(), root, bytes.NewReader(sparseTar(t, "pax1.0", "f", size, frags)), nil); err != nil {
		t.Fatalf("unpack: %v", err)
	}
	keys := map[string]string{}
	for _, e := range generateWalk(t, root).Entries {
		if e.Name == "f" {
			for _, kv := range e.AllKeys() {
				keys[string(kv.Keyword())] = kv.Value()
			}
		}
	}
	wantSum := digest.FromBytes(want).Encoded()
	if keys["size"] != fmt.Sprint(size) || keys["sha256digest"] != wantSum || keys["type"] != "file" {
		t.Fatalf("mtree keys of f = %v, want size=%d sha256digest=%s", keys, size, wantSum)
	}
	layer := generateLayerBytes(t, root, generateAllDeltas(t, root), nil)
	ent := generateFind(t, generateReadTar(t, layer), "f")
	if ent.hdr.Typeflag != tar.TypeReg || ent.body != string(want) {
		t.Fatalf("repacked f: type %q, %d bytes, want the regular file's content", ent.hdr.Typeflag, len(ent.body))
	}
}

// TestUnpackRegularStaysDense: a regular (non-sparse) entry of zeros is
// written as before, block by block.
func TestUnpackRegularStaysDense(t *testing.T) {
	if !holesSupported(t, t.TempDir()) {
		t.Skip("filesystem keeps no holes")
	}
	root := newRoot(t)
	zeros := strings.Repeat("\x00", 256<<10)
	mustUnpack(t, root, nil, []layertest.Entry{{Type: tar.TypeReg, Name: "z", Content: zeros, Mode: 0o644}})
	if used := allocated(t, filepath.Join(root, "z")); used < int64(len(zeros)) {
		t.Fatalf("regular file of zeros uses %d bytes on disk, want %d (unchanged fast path)", used, len(zeros))
	}
}
