package layer

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lade-oci/lade/layer/layertest"
)

// sparseLayer is a layer holding the sparse entry of sparseTar followed by
// the entries of more.
func sparseLayer(t *testing.T, format, name string, size int64, frags []sparseFrag, more ...layertest.Entry) []byte {
	t.Helper()
	s := sparseTar(t, format, name, size, frags)
	if len(more) == 0 {
		return s
	}
	return append(s[:len(s)-1024:len(s)-1024], layertest.Tar(t, more...)...)
}

// TestUnpackSparseOverExisting: a sparse entry replacing a file of a lower
// layer full of 'A' reads back as its own content: the holes are zeros,
// never the old bytes, whether the old file was longer or shorter, read-only
// or hard linked (the link keeps the old content: the entry is a new file).
// Data fragments that are not 4 KiB aligned keep their exact bytes.
func TestUnpackSparseOverExisting(t *testing.T) {
	const size = 1<<20 + 77
	unaligned := []sparseFrag{{3*4096 + 100, sparseData(5000, 1)}, {size - 10, sparseData(10, 2)}}
	tests := []struct {
		name  string
		lower layertest.Entry
		link  bool // the lower layer also hard links "g" to "f"
		size  int64
		frags []sparseFrag
	}{
		{"longer old file", layertest.Entry{Type: tar.TypeReg, Name: "f", Content: strings.Repeat("A", 3<<20), Mode: 0o644}, false, size, unaligned},
		{"shorter old file", layertest.Entry{Type: tar.TypeReg, Name: "f", Content: strings.Repeat("A", 5000), Mode: 0o644}, false, size, unaligned},
		{"all hole over data", layertest.Entry{Type: tar.TypeReg, Name: "f", Content: strings.Repeat("A", 1<<20), Mode: 0o644}, false, 1 << 20, nil},
		{"read-only old file", layertest.Entry{Type: tar.TypeReg, Name: "f", Content: strings.Repeat("A", 1<<20), Mode: 0o444}, false, size, unaligned},
		{"hard linked old file", layertest.Entry{Type: tar.TypeReg, Name: "f", Content: strings.Repeat("A", 1<<20), Mode: 0o644}, true, size, unaligned},
	}
	for _, format := range sparseFormats {
		for _, rootless := range []bool{false, true} {
			for _, tc := range tests {
				name := format + "/" + tc.name
				if rootless {
					name += "/rootless"
				}
				t.Run(name, func(t *testing.T) {
					root := newRoot(t)
					opts := &UnpackOptions{MapOptions: MapOptions{Rootless: rootless}}
					lower := []layertest.Entry{tc.lower}
					if tc.link {
						lower = append(lower, layertest.Hardlink("g", "f"))
					}
					if err := UnpackLayer(t.Context(), root, bytes.NewReader(layertest.Tar(t, lower...)), opts); err != nil {
						t.Fatalf("unpack lower: %v", err)
					}
					upper := sparseLayer(t, format, "f", tc.size, tc.frags)
					if err := UnpackLayer(t.Context(), root, bytes.NewReader(upper), opts); err != nil {
						t.Fatalf("unpack sparse: %v", err)
					}
					want := sparseContent(tc.size, tc.frags)
					if got := readFile(t, filepath.Join(root, "f")); got != string(want) {
						t.Fatalf("f: %d bytes, %d of them 'A'; want %d bytes, no 'A'",
							len(got), strings.Count(got, "A"), len(want))
					}
					if tc.link {
						if got := readFile(t, filepath.Join(root, "g")); got != tc.lower.Content {
							t.Fatalf("hard link g lost the old content (%d bytes)", len(got))
						}
					}
				})
			}
		}
	}
}

// TestUnpackSparseHardlink: a hard link to a sparse file, in the same layer
// or a later one, is the same inode with the same content and holes.
func TestUnpackSparseHardlink(t *testing.T) {
	const size = 2 << 20
	frags := []sparseFrag{{4096 + 1, sparseData(7000, 3)}}
	want := string(sparseContent(size, frags))
	for _, format := range sparseFormats {
		for _, later := range []bool{false, true} {
			name := format + "/same layer"
			if later {
				name = format + "/next layer"
			}
			t.Run(name, func(t *testing.T) {
				root := newRoot(t)
				link := layertest.Hardlink("h", "f")
				layers := [][]byte{sparseLayer(t, format, "f", size, frags, link)}
				if later {
					layers = [][]byte{sparseLayer(t, format, "f", size, frags), layertest.Tar(t, link)}
				}
				for _, l := range layers {
					if err := UnpackLayer(t.Context(), root, bytes.NewReader(l), nil); err != nil {
						t.Fatalf("unpack: %v", err)
					}
				}
				f, h := filepath.Join(root, "f"), filepath.Join(root, "h")
				if readFile(t, h) != want || readFile(t, f) != want {
					t.Fatal("content of f or h differs from the sparse entry's")
				}
				fi, err1 := os.Stat(f)
				hi, err2 := os.Stat(h)
				if err1 != nil || err2 != nil || fi.Sys().(*syscall.Stat_t).Ino != hi.Sys().(*syscall.Stat_t).Ino {
					t.Fatalf("h is not a hard link of f: %v %v", err1, err2)
				}
				if holesSupported(t, t.TempDir()) {
					if used, max := allocated(t, h), dataBlockBytes([]byte(want))+8<<10; used > max {
						t.Fatalf("h uses %d bytes on disk, want at most %d", used, max)
					}
				}
			})
		}
	}
}
