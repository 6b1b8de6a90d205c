package layer

import (
	"archive/tar"
	"bytes"
	"testing"
)

// FuzzTreeMatchesUnpack builds random small layer sequences (the entry
// language of FuzzUnpackLayer) and checks that the in-memory tree and the
// on-disk applier agree on every path, or both fail.
func FuzzTreeMatchesUnpack(f *testing.F) {
	seeds := []string{
		"5d\n0d/f\x00\x00x\n--\n0d\x00\x00file\n5d/e",
		"2a\x00/b\n2b\x00/c/../c\n0a/f\x00\x00pwn",
		"0a/b\x00\x00x\n0a/c\n--\n0a/.wh.b\n0a/d\n0.wh.a",
		"0a/b\n--\n0a/.wh..wh..opq\n0a/new",
		"0t\x00\x00x\n1h\x00t\n--\n0t\x00\x00y\n1h2\x00h",
		"2l1\x00l2\n2l2\x00l1\n0l1/x",
		"2s\x00file/sub\n0file\n0s/x",
		"0d/t\n1d\x00d/t",
		"6p\n--\n0p\x00\x00data\n6q\n1h\x00q",
		"2up\x00../../..\n--\n0up/etc/passwd\x00\x00x",
		"5.\n0.wh..wh..opq\n0x/.wh..wh..opq",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	o := newOracle(f)
	f.Fuzz(func(t *testing.T, data string) {
		var layers [][]byte
		for _, l := range fuzzLayers(data) {
			var buf bytes.Buffer
			tw := tar.NewWriter(&buf)
			for i, ent := range l {
				if len(ent.Name) > 200 || len(ent.Link) > 200 {
					return // host path limits are not the tree's business
				}
				if o.rootless && (ent.Type == tar.TypeChar || ent.Type == tar.TypeBlock) {
					return // rootless placeholders differ by design
				}
				ent.UID, ent.GID = i%3, len(ent.Content)%2
				if err := tw.WriteHeader(ent.Header()); err != nil {
					return
				}
				_, _ = tw.Write([]byte(ent.Content))
			}
			if tw.Close() != nil {
				return
			}
			layers = append(layers, buf.Bytes())
		}
		root, tree, diskErr, treeErr := o.apply(t, layers)
		if (diskErr != nil) != (treeErr != nil) {
			t.Fatalf("unpack error %v, tree error %v", diskErr, treeErr)
		}
		if diskErr == nil {
			o.agree(t, root, tree)
		}
	})
}
