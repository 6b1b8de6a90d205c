package testimage

import (
	"slices"
	"strconv"
	"strings"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Bench returns the large deterministic benchmark image (about 450 MB and
// 20,000 files uncompressed in five gzip layers): a base OS-like tree of
// small text files and binaries, a runtime with a few 25-45 MB files, a
// deep node_modules-like app tree, a data layer, and an update layer that
// overwrites, whites out files and directories and makes a directory opaque.
func Bench() (*Builder, BenchStats) {
	g := newGen(42)
	var st BenchStats
	b := New()
	b.Config = ispec.ImageConfig{
		Env:        []string{"PATH=/usr/bin:/bin", "APP_HOME=/srv/app"},
		Cmd:        []string{"/usr/bin/app"},
		WorkingDir: "/srv/app",
	}

	base := g.layer(1, &st)
	base.grow("usr", 600, 8)
	base.addFiles("usr", 7000, 100, 32<<10, true, ".txt")
	base.addFiles("usr", 300, 8<<10, 1<<20, false, "")
	base.links(400, 100)

	rt := g.layer(2, &st)
	rt.grow("opt/runtime", 500, 10)
	rt.addFiles("opt/runtime", 6000, 200, 64<<10, true, ".py")
	rt.addFiles("opt/runtime", 100, 64<<10, 2<<20, false, ".so")
	rt.file("opt/runtime/lib/libbig.so", 25<<20, false)
	rt.file("opt/runtime/share/model.bin", 45<<20, false)
	rt.links(300, 100)

	app := g.layer(3, &st)
	app.grow("srv/app/node_modules", 800, 12)
	app.addFiles("srv/app", 6000, 100, 8<<10, true, ".js")
	app.file("srv/app/bundle.bin", 20<<20, false)
	app.links(200, 50)

	data := g.layer(4, &st)
	data.grow("var/lib/data", 100, 4)
	data.addFiles("var/lib/data", 500, 1<<10, 200<<10, true, ".csv")
	data.addFiles("var/lib/data", 500, 16<<10, 512<<10, false, ".dat")
	data.file("var/lib/data/archive.db", 12<<20, false)

	up := g.layer(5, &st)
	// Opaque: one runtime directory loses its lower contents.
	opaque := ""
	for _, d := range rt.dirs {
		if strings.Count(d, "/") >= 3 {
			opaque = d
			break
		}
	}
	up.dir(opaque)
	up.entries = append(up.entries, Opaque(opaque))
	st.Opaques++
	up.addFiles(opaque, 20, 100, 4<<10, true, ".py")
	// Overwrites and whiteouts of disjoint lower files outside the opaque dir.
	var cands []string
	for _, f := range slices.Concat(base.files, rt.files) {
		if !strings.HasPrefix(f, opaque+"/") {
			cands = append(cands, f)
		}
	}
	up.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, f := range cands[:500] {
		up.file(f, up.logSize(100, 16<<10), true)
	}
	for _, f := range cands[500:800] {
		up.entries = append(up.entries, Whiteout(f))
		st.Whiteouts++
	}
	for _, d := range app.dirs[len(app.dirs)-5:] {
		up.entries = append(up.entries, Whiteout(d))
		st.Whiteouts++
	}
	up.grow("var/update", 10, 2)
	up.file("var/update/payload.bin", 15<<20, false)
	up.links(50, 0)

	for i, l := range []*tree{base, rt, app, data, up} {
		b.AddLayer(Gzip, "bench layer "+strconv.Itoa(i), l.entries...)
	}
	st.Layers = len(b.Layers)
	return b, st
}
