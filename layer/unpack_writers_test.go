package layer

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

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

// TestUnpackWriterFailsMidFile: a writer that fails partway through a file
// bigger than the parser's read-ahead (here: the file size limit, EFBIG)
// fails the unpack instead of leaving the parser waiting for buffers the
// writer never gave back.
func TestUnpackWriterFailsMidFile(t *testing.T) {
	root := newRoot(t)
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	lim := old
	lim.Cur = 2 << 20
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &lim); err != nil {
		t.Skipf("set RLIMIT_FSIZE: %v", err)
	}
	defer unix.Setrlimit(unix.RLIMIT_FSIZE, &old)
	big := strings.Repeat("0123456789abcdef", (3*parseAhead)/16)
	layer := layertest.Tar(t, layertest.Dir("d"), layertest.File("d/a", "small"),
		layertest.File("d/big", big), layertest.File("d/z", "after"))
	err := unpackWithin(t, 60*time.Second, func(ctx context.Context) error {
		return UnpackLayer(ctx, root, bytes.NewReader(layer), nil)
	})
	if err == nil || !strings.Contains(err.Error(), "d/big") {
		t.Fatalf("got %v, want the error of d/big", err)
	}
}

// TestUnpackCancelMidFile: cancelling the context while a big file is
// being written ends the unpack with the context's error.
func TestUnpackCancelMidFile(t *testing.T) {
	root := newRoot(t)
	big := strings.Repeat("0123456789abcdef", (3*parseAhead)/16)
	layer := layertest.Tar(t, layertest.Dir("d"), layertest.File("d/big", big), layertest.File("d/z", "after"))
	err := unpackWithin(t, 60*time.Second, func(ctx context.Context) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		r := &cancelAfter{r: bytes.NewReader(layer), n: 2 * parseAhead, cancel: cancel}
		return UnpackLayer(ctx, root, r, nil)
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// cancelAfter cancels once n bytes have been read from r.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// unpackWithin runs fn and fails the test if it does not return within d
// (a hang, not a speed check: d is far above the time it needs).
func unpackWithin(t *testing.T, d time.Duration, fn func(ctx context.Context) error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn(t.Context()) }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("the unpack did not return within %v", d)
		return nil
	}
}
