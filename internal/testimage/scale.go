package testimage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ScaleVersion names the current at-scale image recipe. Change it whenever
// Scale would produce different content from the same host files, so
// cached copies are rebuilt. (A change of the host files themselves is
// caught by ScaleStats.Fingerprint.)
const ScaleVersion = "scale-v1"

// ScaleStats summarises the at-scale image.
type ScaleStats struct {
	BenchStats
	Entries int
	// Fingerprint identifies the host files and metadata the image was
	// made of (see fingerprint).
	Fingerprint string
	// LayerBytes is the regular file content of each layer.
	LayerBytes []int64
}

// scaleLayer is one layer of the recipe: host directories, a file-content
// budget in MiB (at full size) and paths to leave out.
type scaleLayer struct {
	name   string
	roots  []string
	budget int64
	skip   []string
}

// scaleLayers are the seven lower layers of the at-scale image: a Debian
// system, the Go toolchain, documentation, shared data, headers and
// compilers, Python's library, and package metadata. The first is the one
// layer over 300 MB at full size.
var scaleLayers = []scaleLayer{
	{"debian base", []string{"/etc", "/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu"}, 400, nil},
	{"go toolchain", []string{"/usr/local/go"}, 300, nil},
	{"documentation", []string{"/usr/share/doc", "/usr/share/man", "/usr/share/info"}, 200, nil},
	{"shared data", []string{"/usr/share"}, 200, []string{"/usr/share/doc", "/usr/share/man", "/usr/share/info", "/usr/share/package-lists"}},
	{"headers and compilers", []string{"/usr/include", "/usr/lib/gcc"}, 150, nil},
	{"python", []string{"/usr/lib/python3", "/usr/lib/python3.11", "/usr/lib/python3.12", "/usr/lib/python3.13"}, 100, nil},
	{"package metadata", []string{"/var/lib/dpkg", "/usr/libexec"}, 60, nil},
}

// Scale returns the at-scale benchmark image, built from files of this
// machine (not generated data): at full size (div 1) about 1.3 GB and
// 90,000 entries of uncompressed layers on a Debian machine with Go in
// /usr/local/go, in eight gzip layers. The eighth updates the others: it
// overwrites files with other content, whites out files and directories,
// makes a vendor directory of the Go tree opaque, and adds symlinks and
// hardlinks. Layers also carry the hardlinks of their host files and one
// extra hardlink per 100 files. div > 1 divides every layer's budget, for
// a smaller image of the same shape. The same host files always give the
// same image; Fingerprint changes when they change.
func Scale(div int) (*Builder, *ScaleStats, error) {
	if div < 1 {
		return nil, nil, fmt.Errorf("scale image: divisor %d < 1", div)
	}
	st := &ScaleStats{}
	b := New()
	b.Config = ispec.ImageConfig{
		Env:        []string{"PATH=/usr/local/go/bin:/usr/bin:/bin"},
		Cmd:        []string{"/bin/sh"},
		WorkingDir: "/",
	}
	var layers []*hostLayer
	for _, sl := range scaleLayers {
		l := newHostLayer(sl.budget<<20/int64(div), &st.BenchStats)
		skip := func(p string) bool {
			for _, s := range sl.skip {
				if p == s {
					return true
				}
			}
			return false
		}
		for _, r := range sl.roots {
			if err := l.addTree(r, skip); err != nil {
				return nil, nil, fmt.Errorf("scale image: layer %q: %w", sl.name, err)
			}
		}
		l.hardlinks(100)
		layers = append(layers, l)
	}
	up, err := scaleUpdate(layers, st)
	if err != nil {
		return nil, nil, err
	}
	layers = append(layers, up)
	for i, l := range layers {
		name := "update"
		if i < len(scaleLayers) {
			name = scaleLayers[i].name
		}
		b.AddLayer(Gzip, "scale layer "+strconv.Itoa(i)+": "+name, l.entries...)
		st.Entries += len(l.entries)
		st.LayerBytes = append(st.LayerBytes, l.bytes)
	}
	st.Layers = len(b.Layers)
	st.Fingerprint = fingerprint(layers)
	return b, st, nil
}

// scaleUpdate builds the update layer over the lower ones: 300 binaries
// of the base layer replaced by other files' content, 600 documentation
// and data files and 20 documentation directories whited out, the Go
// tree's src/cmd/vendor made opaque with a few files put back, and 200
// symlinks and 50 hardlinks.
func scaleUpdate(lower []*hostLayer, st *ScaleStats) (*hostLayer, error) {
	up := newHostLayer(1<<62, &st.BenchStats)
	base, goTree, docs, share := lower[0], lower[1], lower[2], lower[3]
	// Overwrites: a base file gets the content of a file of another layer.
	donors := append(append([]string{}, share.files...), goTree.files...)
	for i, p := range pick(base.files, max(1, len(base.files)/300), 7, 300) {
		if len(donors) == 0 {
			break
		}
		donor := donors[(i*7919)%len(donors)]
		if err := up.ancestorsOf(p); err != nil {
			return nil, err
		}
		if err := up.addAs(hostPath(donor), p); err != nil {
			return nil, err
		}
	}
	// Directory whiteouts first, then files outside them.
	var gone []string
	for _, d := range pick(docs.dirs, max(1, len(docs.dirs)/20), 11, 20) {
		if strings.Count(d, "/") < 3 { // keep usr/share/doc itself
			continue
		}
		gone = append(gone, d)
		up.entries = append(up.entries, Whiteout(d))
		st.Whiteouts++
	}
	var cands []string
	for _, f := range append(append([]string{}, docs.files...), share.files...) {
		hidden := false
		for _, d := range gone {
			hidden = hidden || inImage(f, d)
		}
		if !hidden {
			cands = append(cands, f)
		}
	}
	for _, f := range pick(cands, max(1, len(cands)/600), 3, 600) {
		up.entries = append(up.entries, Whiteout(f))
		st.Whiteouts++
	}
	// Opaque: the vendored tree of the Go command is replaced wholesale.
	const vendor = "usr/local/go/src/cmd/vendor"
	if goTree.seen[vendor] {
		if err := up.ancestorsOf(vendor + "/x"); err != nil {
			return nil, err
		}
		up.entries = append(up.entries, Opaque(vendor))
		st.Opaques++
		if err := up.addTree("/usr/local/go/src/cmd/vendor/golang.org/x/sync", nil); err != nil {
			return nil, err
		}
	}
	// Links: symlinks to lower files, hardlinks to this layer's files.
	up.entries = append(up.entries, Dir("opt", 0o755), Dir("opt/links", 0o755))
	st.Dirs += 2
	for i, f := range pick(goTree.files, max(1, len(goTree.files)/200), 5, 200) {
		if inImage(f, vendor) {
			continue
		}
		up.entries = append(up.entries, Symlink("opt/links/l"+strconv.Itoa(i), "/"+f))
		st.Symlinks++
	}
	up.hardlinks(max(1, len(up.files)/50))
	return up, nil
}

// ancestorsOf emits the directories on the way to the in-image path p.
func (l *hostLayer) ancestorsOf(p string) error {
	return l.ancestors(hostPath(p[:max(0, strings.LastIndex(p, "/"))]))
}

// addAs adds the content of the host file src as the regular file at
// in-image path name (with src's mode, owner and mtime).
func (l *hostLayer) addAs(src, name string) error {
	fi, err := os.Lstat(src)
	if err != nil || !fi.Mode().IsRegular() {
		return nil // gone or replaced since the walk: nothing to take
	}
	n := len(l.entries)
	if err := l.add(src, fi); err != nil || len(l.entries) == n {
		return err
	}
	l.entries[n].Path = name
	if l.entries[n].Kind == KindFile {
		l.files[len(l.files)-1] = name
	}
	return nil
}

// fingerprint is the sha256 of every entry's path, kind, metadata, size
// and link target: it changes when the host files the image is made of do.
func fingerprint(layers []*hostLayer) string {
	h := sha256.New()
	for i, l := range layers {
		fmt.Fprintf(h, "layer %d\n", i)
		for _, e := range l.entries {
			fmt.Fprintf(h, "%d %q %o %d:%d %d %d %q\n", e.Kind, e.Path, e.Mode, e.UID, e.GID, e.ModTime.Unix(), e.Size, e.Linkname)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
