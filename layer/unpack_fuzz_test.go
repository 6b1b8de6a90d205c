package layer

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"

	"github.com/lade-oci/lade/layer/layertest"
)

// fuzzLayers decodes a tiny entry language so mutations stay meaningful:
// layers are separated by lines "--", each other line is
// "<type><name>\x00<link>\x00<content>" with type one of 0 5 2 1 3 4 6 (tar
// typeflags), anything else meaning a regular file.
func fuzzLayers(data string) [][]layertest.Entry {
	var layers [][]layertest.Entry
	var cur []layertest.Entry
	for _, line := range strings.Split(data, "\n") {
		if line == "--" {
			layers, cur = append(layers, cur), nil
			continue
		}
		if line == "" || len(cur) > 64 {
			continue
		}
		typ := line[0]
		if !strings.ContainsRune("0521346", rune(typ)) {
			typ = tar.TypeReg
		}
		parts := strings.SplitN(line[1:], "\x00", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		e := layertest.Entry{Type: typ, Name: parts[0], Link: parts[1], Content: parts[2], Mode: 0o755}
		if typ != tar.TypeReg {
			e.Content = ""
		}
		cur = append(cur, e)
	}
	return append(layers, cur)
}

// FuzzUnpackLayer checks the core safety invariant: whatever the layers,
// nothing outside root is created, changed or deleted, and nothing panics.
func FuzzUnpackLayer(f *testing.F) {
	seeds := []string{
		"0../outside/x\x00\x00pwn",
		"2r\x00/\n0r/x\x00\x00pwn",
		"2up\x00../../..\n--\n0up/outside/passwd\x00\x00pwn",
		"2a\x00/b\n2b\x00/c/../c\n2c\x00../../outside\n0a/passwd\x00\x00pwn",
		"1h\x00../outside/passwd",
		"0.wh...",
		"0../.wh.x\n0../outside/.wh.passwd",
		"2esc\x00../outside\n--\n0esc/.wh..wh..opq\n0esc/.wh.passwd",
		"2.\x00../outside",
		"0.wh.",
		"5d\n0d/f\x00\x00x\n--\n0d\x00\x00file\n5d/e",
		"6../outside/fifo\n3dev/null",
		"2l1\x00l2\n2l2\x00l1\n0l1/x",
		"2s\x00/../outside/passwd\n1h\x00s\n0h\x00\x00pwn",
		"5d\n0d/a\n2d\x00../outside\n0d/x\x00\x00pwn\n0d/.wh.passwd",
		"6p\n--\n0p\x00\x00data\n6q\n1h\x00q\n0h\x00\x00x",
		"2s\x00../outside\n1h\x00s\n5h\n0h/x\x00\x00pwn",
		"2esc\x00..\n--\n0esc/.wh..wh..opq\n0.wh..wh..opq\n0../.wh.outside",
		"0a\nb\x00\x00x\n1z\x00missing\nfile",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		layers := fuzzLayers(data)
		e := newBreakoutEnv(t, t.TempDir())
		for _, l := range layers {
			var buf bytes.Buffer
			tw := tar.NewWriter(&buf)
			ok := true
			for _, ent := range l {
				hdr := ent.Header()
				if err := tw.WriteHeader(hdr); err != nil {
					ok = false
					break
				}
				_, _ = tw.Write([]byte(ent.Content))
			}
			if !ok || tw.Close() != nil {
				continue
			}
			for _, keep := range []bool{false, true} {
				_ = UnpackLayer(t.Context(), e.root, bytes.NewReader(buf.Bytes()), &UnpackOptions{KeepDirlinks: keep})
				e.check(t)
			}
		}
	})
}
