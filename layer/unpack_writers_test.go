package layer

import (
	"archive/tar"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lade-oci/lade/layer/layertest"
)

// TestUnpackWritersMatchTree applies random layers whose entries keep
// meeting each other (a few names, few directories: files written twice,
// replaced by directories and symlinks, hardlinked right after they are
// written, whited out, files of several pieces among small ones) and
// checks that the disk, written by the parallel file writers, agrees with
// the in-memory tree, which applies entries strictly in order.
func TestUnpackWritersMatchTree(t *testing.T) {
	o := newOracle(t)
	if o.rootless {
		t.Skip("as root only: rootless unpacks write files in one goroutine")
	}
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 13))
			var layers [][]byte
			for range 3 {
				layers = append(layers, layertest.Tar(t, randomLayer(r)...))
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
}

// randomLayer returns about 300 entries over a small namespace. Symlinks
// dangle (no loops), hardlinks follow the file they link to (as in real
// layers), so that most layers apply without error.
func randomLayer(r *rand.Rand) []layertest.Entry {
	dirs := []string{"a", "b", "a/x", "a/y", "b/x", "c"}
	names := []string{"f", "g", "h", "x", "y"}
	pick := func() string {
		return dirs[r.IntN(len(dirs))] + "/" + names[r.IntN(len(names))]
	}
	out := []layertest.Entry{layertest.Dir("links")}
	for _, d := range dirs {
		out = append(out, layertest.Dir(d))
	}
	for range 300 {
		p := pick()
		switch k := r.IntN(20); {
		case k < 10:
			size := r.IntN(20000)
			if r.IntN(40) == 0 {
				size = pieceSize + r.IntN(2*pieceSize) // several pieces
			}
			out = append(out, layertest.Entry{Type: tar.TypeReg, Name: p, Mode: int64(0o600 + r.IntN(0o200)),
				Content: strings.Repeat(string(rune('a'+r.IntN(26))), size), UID: r.IntN(3)})
			if r.IntN(4) == 0 {
				l := fmt.Sprintf("links/l%d", r.IntN(20))
				out = append(out, layertest.Entry{Type: tar.TypeLink, Name: l, Link: p})
			}
		case k < 13:
			out = append(out, layertest.Dir(p))
		case k < 15:
			out = append(out, layertest.Symlink(p, "../t"+names[r.IntN(len(names))]))
		case k < 18:
			d, b, _ := strings.Cut(p, "/")
			out = append(out, layertest.File(d+"/.wh."+b, ""))
		default:
			out = append(out, layertest.File(p+"/"+names[r.IntN(len(names))], "deep"))
		}
	}
	return out
}

// TestUnpackWriterError: a file a writer cannot create fails the unpack
// with the entry's name, and nothing is written after the unpack returns.
func TestUnpackWriterError(t *testing.T) {
	root := newRoot(t)
	long := strings.Repeat("n", 300) // longer than NAME_MAX
	var entries []layertest.Entry
	for i := range 50 {
		entries = append(entries, layertest.File(fmt.Sprintf("d/f%d", i), strings.Repeat("x", i*100)))
	}
	entries = append(entries, layertest.File("d/"+long, "x"))
	for i := range 50 {
		entries = append(entries, layertest.File(fmt.Sprintf("d/g%d", i), "y"))
	}
	err := UnpackLayer(t.Context(), root, bytes.NewReader(layertest.Tar(t, append([]layertest.Entry{layertest.Dir("d")}, entries...)...)), nil)
	if err == nil || !strings.Contains(err.Error(), "nnnn") {
		t.Fatalf("got %v, want the error of the long name", err)
	}
	before := listDir(t, root+"/d")
	after := listDir(t, root+"/d")
	if before != after {
		t.Fatal("files were still written after UnpackLayer returned")
	}
}
