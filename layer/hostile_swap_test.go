package layer

import (
	"archive/tar"
	"path/filepath"
	"testing"

	"github.com/lade-oci/lade/layer/layertest"
)

// TestHostileSwaps: symlink and hardlink swaps within and across layers,
// whiteout tricks, and entries replacing other kinds of entries.
func TestHostileSwaps(t *testing.T) {
	type L = []layertest.Entry
	F, D, S, H, W := layertest.File, layertest.Dir, layertest.Symlink, layertest.Hardlink, layertest.Whiteout
	fifo := func(name string) layertest.Entry { return layertest.Entry{Type: tar.TypeFifo, Name: name} }
	for _, tc := range []hostileCase{
		{name: "dir swapped for symlink in one layer", layers: func(e breakoutEnv) []L {
			return []L{{D("d"), F("d/a", "x"), S("d", "../outside"), F("d/x", "pwn"), F("d/passwd", "pwn")}}
		}, check: wantRegular("outside/x", "pwn")},
		{name: "dir swapped for host symlink in one layer", layers: func(e breakoutEnv) []L {
			return []L{{D("d"), S("d", e.outside), F("d/x", "pwn"), D("d/sub"), F("d/sub/file", "pwn")}}
		}},
		{name: "dir swapped for symlink across layers", layers: func(e breakoutEnv) []L {
			return []L{{D("d"), F("d/a", "x")}, {S("d", "../../../outside")}, {F("d/x", "pwn"), W("d/.wh.passwd"), W("d/.wh..wh..opq")}}
		}, check: wantRegular("outside/x", "pwn")},
		{name: "nested dir swap", layers: func(e breakoutEnv) []L {
			return []L{{D("a/b/c"), S("a/b", e.outside), F("a/b/c/x", "pwn"), S("a", e.outside), F("a/b/x", "pwn")}}
		}},
		{name: "hardlink to symlink to outside then written through", layers: func(e breakoutEnv) []L {
			return []L{{S("s", filepath.Join(e.outside, "passwd"))}, {H("h", "s")}, {F("h", "pwn"), H("h2", "s"), D("h2"), F("h2/x", "pwn")}}
		}, check: wantRegular("h", "pwn")},
		{name: "hardlink to symlink dir then below", layers: func(e breakoutEnv) []L {
			return []L{{S("s", e.outside), H("h", "s"), F("h/x", "pwn"), F("h/sub/file", "pwn")}}
		}},
		{name: "hardlink to directory", layers: func(breakoutEnv) []L { return []L{{D("d"), H("h", "d")}} }, wantErr: errAny},
		{name: "hardlink to dot", layers: func(breakoutEnv) []L { return []L{{H("h", ".")}} }, wantErr: ErrBreakout},
		{name: "hardlink to empty", layers: func(breakoutEnv) []L { return []L{{H("h", "")}} }, wantErr: ErrBreakout},
		{name: "hardlink to itself missing", layers: func(breakoutEnv) []L { return []L{{H("h", "h")}} }, wantErr: errAny},
		{name: "hardlink onto its own parent", layers: func(breakoutEnv) []L { return []L{{D("d"), F("d/f", "x"), H("d", "d/f")}} }, wantErr: errAny},
		{name: "file over symlink to outside file", layers: func(e breakoutEnv) []L {
			return []L{{S("f", filepath.Join(e.outside, "passwd")), S("g", "../outside/x")}, {F("f", "pwn"), F("g", "pwn")}}
		}, check: wantRegular("g", "pwn")},
		{name: "every type over symlink to outside", layers: func(e breakoutEnv) []L {
			out := filepath.Join(e.outside, "passwd")
			return []L{{S("a", out), S("b", out), S("c", out), S("d", out), S("e", e.outside), F("t", "t")},
				{S("a", "elsewhere"), H("b", "t"), fifo("c"), {Type: tar.TypeDir, Name: "d", Mode: 0o777}, F("e", "pwn")}}
		}},
		{name: "whiteout of dotdot-ish names", layers: func(breakoutEnv) []L {
			return []L{{F("x", "x")}, {W(".wh..."), W("a/.wh..."), W("../.wh..."), W(".wh..." + "/x")}}
		}, wantErr: ErrBreakout},
		{name: "whiteout of root via dotdot dirs", layers: func(breakoutEnv) []L {
			return []L{{F("keep", "x")}, {W("../../.wh.outside"), W("../.wh.root"), W("/../.wh.passwd")}}
		}, check: wantRegular("keep", "x")},
		{name: "opaque at root", layers: func(breakoutEnv) []L {
			return []L{{F("old", "x"), S("esc", "../outside")}, {W(".wh..wh..opq"), F("new", "y"), W("../.wh..wh..opq")}}
		}, check: func(t *testing.T, e breakoutEnv) {
			if got := listDir(t, e.root); got != "new" {
				t.Fatalf("root after opaque = %q", got)
			}
		}},
		{name: "opaque on symlink to outside", layers: func(e breakoutEnv) []L {
			return []L{{S("esc", e.outside), S("rel", "../outside"), S("dd", "..")}, {W("esc/.wh..wh..opq"), W("rel/.wh..wh..opq"), W("dd/.wh..wh..opq")}}
		}},
		{name: "whiteout of symlink to outside dir", layers: func(e breakoutEnv) []L {
			return []L{{S("esc", e.outside), S("sub", "../outside/sub")}, {W(".wh.esc"), W(".wh.sub")}}
		}, check: func(t *testing.T, e breakoutEnv) {
			if got := listDir(t, e.root); got != "" {
				t.Fatalf("root after whiteouts = %q", got)
			}
		}},
		{name: "fifo then file", layers: func(breakoutEnv) []L {
			return []L{{fifo("p"), F("p", "x"), fifo("q")}, {F("q", "y"), fifo("r"), H("h", "r")}, {F("h", "z")}}
		}, check: wantRegular("q", "y")},
		{name: "fifo as parent", layers: func(breakoutEnv) []L { return []L{{fifo("p")}, {F("p/x", "x")}} }, check: wantRegular("p/x", "x")},
		{name: "fifo whiteout and opaque", layers: func(breakoutEnv) []L { return []L{{fifo("p"), D("d"), fifo("d/q")}, {W(".wh.p"), W("d/.wh..wh..opq")}} }},
		{name: "file as parent", layers: func(breakoutEnv) []L { return []L{{F("f", "x")}, {F("f/x", "y")}, {F("g", "x"), F("g/y", "y")}} },
			check: wantRegular("g/y", "y")},
		{name: "device then file", root: true, layers: func(breakoutEnv) []L {
			return []L{{{Type: tar.TypeChar, Name: "null", Major: 1, Minor: 3}, {Type: tar.TypeChar, Name: "n2", Major: 1, Minor: 3}},
				{F("null", "data"), H("n2", "null")}}
		}, check: wantRegular("null", "data")},
		{name: "keepdirlinks symlink to outside", root: true, layers: func(e breakoutEnv) []L {
			return []L{{S("d", e.outside), S("r", "../../outside"), S("up", "..")},
				{{Type: tar.TypeDir, Name: "d", Mode: 0o777, UID: 1}, D("r"), D("up"), F("d/x", "pwn"), F("r/passwd", "pwn"), F("up/x", "pwn")}}
		}},
	} {
		runHostile(t, tc)
	}
}
