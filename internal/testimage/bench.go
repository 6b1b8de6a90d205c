package testimage

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"path"
	"strconv"
	"strings"
)

// BenchVersion names the current bench image recipe. Change it whenever
// Bench would produce different content, so cached copies are rebuilt.
const BenchVersion = "bench-v1"

// BenchStats summarises the entries of the bench image.
type BenchStats struct {
	Layers, Files, Dirs, Symlinks, Hardlinks, Whiteouts, Opaques int
	FileBytes, LargestFile                                       int64
}

// tree accumulates the entries of one bench layer.
type tree struct {
	g       *gen
	r       *rand.Rand
	seed    uint64
	entries []Entry
	dirs    []string
	seen    map[string]bool
	files   []string
	st      *BenchStats
}

func (g *gen) layer(seed uint64, st *BenchStats) *tree {
	return &tree{g: g, r: rand.New(rand.NewPCG(seed, 3)), seed: seed, seen: map[string]bool{}, st: st}
}

// dir emits p and its missing ancestors.
func (t *tree) dir(p string) {
	if p == "." || t.seen[p] {
		return
	}
	t.dir(path.Dir(p))
	t.seen[p] = true
	t.dirs = append(t.dirs, p)
	t.entries = append(t.entries, Dir(p, 0o755))
	t.st.Dirs++
}

// grow adds n random directories below root, at most maxDepth below it.
func (t *tree) grow(root string, n, maxDepth int) {
	t.dir(root)
	base := strings.Count(root, "/")
	under := []string{root}
	for i := 0; len(under) < n+1; i++ {
		parent := under[t.r.IntN(len(under))]
		if strings.Count(parent, "/")-base >= maxDepth {
			parent = under[t.r.IntN(1+len(under)/4)]
		}
		p := parent + "/" + t.g.word(t.r) + strconv.Itoa(i%7)
		if !t.seen[p] {
			t.dir(p)
			under = append(under, p)
		}
	}
}

// logSize draws a log-uniform size in [lo, hi].
func (t *tree) logSize(lo, hi int64) int64 {
	return int64(math.Exp(math.Log(float64(lo)) + t.r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))))
}

func (t *tree) file(p string, size int64, text bool) {
	seed := t.seed<<32 ^ uint64(len(t.entries))
	g := t.g
	e := Entry{Kind: KindFile, Path: p, Mode: 0o644, Size: size}
	e.Source = func() io.Reader { return bytes.NewReader(g.text(seed, size)) }
	if !text {
		e.Mode = 0o755
		e.Source = func() io.Reader { return g.binary(seed, size) }
	}
	t.entries = append(t.entries, e)
	t.files = append(t.files, p)
	t.st.Files++
	t.st.FileBytes += size
	t.st.LargestFile = max(t.st.LargestFile, size)
}

// files adds n files of log-uniform sizes in [lo, hi] to random directories under prefix.
func (t *tree) addFiles(prefix string, n int, lo, hi int64, text bool, ext string) {
	var dirs []string
	for _, d := range t.dirs {
		if d == prefix || strings.HasPrefix(d, prefix+"/") {
			dirs = append(dirs, d)
		}
	}
	for i := range n {
		d := dirs[t.r.IntN(len(dirs))]
		t.file(d+"/"+t.g.word(t.r)+"-"+strconv.Itoa(len(t.entries)+i)+ext, t.logSize(lo, hi), text)
	}
}

// links adds n symlinks (absolute, relative sibling or dangling) and m
// hardlinks to files of this layer.
func (t *tree) links(n, m int) {
	for i := range n {
		f := t.files[t.r.IntN(len(t.files))]
		name := path.Dir(f) + "/lnk-" + strconv.Itoa(i)
		target := "/" + f
		switch t.r.IntN(6) {
		case 0, 1:
			target = path.Base(f)
		case 2:
			target = "../missing/" + t.g.word(t.r)
		}
		t.entries = append(t.entries, Symlink(name, target))
		t.st.Symlinks++
	}
	for i := range m {
		f := t.files[t.r.IntN(len(t.files))]
		d := t.dirs[t.r.IntN(len(t.dirs))]
		t.entries = append(t.entries, Hardlink(d+"/hl-"+strconv.Itoa(i), f))
		t.st.Hardlinks++
	}
}
