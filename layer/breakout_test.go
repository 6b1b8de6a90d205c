package layer

import (
	"archive/tar"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lade-oci/lade/layer/layertest"
)

// breakoutEnv is base/{root,outside}: the sentinel tree in outside must
// never change, and nothing else may appear in base.
type breakoutEnv struct {
	base, root, outside, snap string
}

func newBreakoutEnv(tb testing.TB, base string) breakoutEnv {
	e := breakoutEnv{base: base, root: filepath.Join(base, "root"), outside: filepath.Join(base, "outside")}
	e.snap = layertest.Sentinel(tb, e.outside)
	return e
}

// check fails if anything outside root was created, changed or deleted.
func (e breakoutEnv) check(tb testing.TB) {
	tb.Helper()
	if got := layertest.Snapshot(tb, e.outside); got != e.snap {
		tb.Fatalf("sentinel tree changed:\n got: %s\nwant: %s", got, e.snap)
	}
	ents, err := os.ReadDir(e.base)
	if err != nil {
		tb.Fatal(err)
	}
	for _, ent := range ents {
		if n := ent.Name(); n != "root" && n != "outside" {
			tb.Fatalf("unexpected %s created next to root", n)
		}
	}
}

var errAny = errors.New("any error")

func TestBreakouts(t *testing.T) {
	type L = []layertest.Entry
	F, D, S, H, W := layertest.File, layertest.Dir, layertest.Symlink, layertest.Hardlink, layertest.Whiteout
	tests := []struct {
		name    string
		layers  func(e breakoutEnv) []L
		wantErr error  // nil: must succeed (neutralised); errAny: any error
		inside  string // when succeeding: this in-root file must hold "pwn"
	}{
		{name: "dotdot name", layers: func(breakoutEnv) []L { return []L{{F("../outside/x", "pwn")}} }, inside: "outside/x"},
		{name: "deep dotdot name", layers: func(breakoutEnv) []L { return []L{{F("a/../../../../../x", "pwn")}} }, inside: "x"},
		{name: "absolute name", layers: func(breakoutEnv) []L { return []L{{F("/etc/passwd", "pwn")}} }, inside: "etc/passwd"},
		{name: "symlink to slash then file", layers: func(breakoutEnv) []L { return []L{{S("r", "/"), F("r/x", "pwn")}} }, inside: "x"},
		{name: "symlink up then write", layers: func(breakoutEnv) []L { return []L{{S("up", "../../.."), F("up/outside/passwd", "pwn")}} }, inside: "outside/passwd"},
		{name: "symlink up across layers", layers: func(breakoutEnv) []L { return []L{{S("up", "../../..")}, {F("up/outside/x", "pwn")}} }, inside: "outside/x"},
		{name: "absolute symlink chain", layers: func(breakoutEnv) []L {
			return []L{{S("a", "/b"), S("b", "/c/../c"), S("c", "../../outside"), F("a/passwd", "pwn")}}
		}, inside: "outside/passwd"},
		{name: "host absolute symlink", layers: func(e breakoutEnv) []L { return []L{{S("esc", e.outside), F("esc/x", "pwn")}} },
			inside: "", wantErr: nil},
		{name: "write over symlink replaces it", layers: func(e breakoutEnv) []L {
			return []L{{S("f", filepath.Join(e.outside, "passwd"))}, {F("f", "pwn")}}
		}, inside: "f"},
		{name: "dir entry over symlink", layers: func(e breakoutEnv) []L {
			return []L{{S("d", e.outside)}, {{Type: tar.TypeDir, Name: "d", Mode: 0o700}, F("d/x", "pwn")}}
		}, inside: "d/x"},
		{name: "symlink loop", layers: func(breakoutEnv) []L { return []L{{S("l1", "l2"), S("l2", "l1"), F("l1/x", "pwn")}} }, wantErr: errAny},
		{name: "hardlink to etc passwd", layers: func(breakoutEnv) []L { return []L{{H("h", "/etc/passwd")}} }, wantErr: errAny},
		{name: "hardlink to dotdot outside", layers: func(breakoutEnv) []L { return []L{{H("h", "../outside/passwd")}} }, wantErr: errAny},
		{name: "hardlink through escaping symlink", layers: func(e breakoutEnv) []L { return []L{{S("esc", e.outside), H("h", "esc/passwd")}} }, wantErr: errAny},
		{name: "hardlink to symlink to outside", layers: func(e breakoutEnv) []L {
			return []L{{S("s", filepath.Join(e.outside, "passwd")), H("h", "s"), F("h", "pwn")}}
		}, inside: "h"},
		{name: "hardlink to root", layers: func(breakoutEnv) []L { return []L{{H("h", "../..")}} }, wantErr: ErrBreakout},
		{name: "whiteout dotdot", layers: func(breakoutEnv) []L { return []L{{W(".wh...")}} }, wantErr: ErrBreakout},
		{name: "whiteout dot", layers: func(breakoutEnv) []L { return []L{{W("sub/.wh..")}} }, wantErr: ErrBreakout},
		{name: "whiteout empty name", layers: func(breakoutEnv) []L { return []L{{W(".wh.")}} }, wantErr: errAny},
		{name: "whiteout via dotdot name", layers: func(breakoutEnv) []L { return []L{{F("x", "mine")}, {W("../.wh.x"), W("../outside/.wh.x")}} }},
		{name: "whiteout through escaping symlink", layers: func(e breakoutEnv) []L {
			return []L{{S("esc", e.outside), S("rel", "../outside")}, {W("esc/.wh.passwd"), W("rel/.wh.x"), W("rel/.wh.sub")}}
		}},
		{name: "opaque through escaping symlink", layers: func(e breakoutEnv) []L {
			return []L{{S("esc", e.outside), S("rel", "../../outside")}, {W("esc/.wh..wh..opq"), W("rel/.wh..wh..opq")}}
		}},
		{name: "opaque through symlink to root", layers: func(breakoutEnv) []L { return []L{{S("r", "/")}, {W("r/.wh..wh..opq")}} }},
		{name: "root entry symlink", layers: func(e breakoutEnv) []L { return []L{{S(".", e.outside)}} }, wantErr: ErrBreakout},
		{name: "root entry dotdot symlink", layers: func(breakoutEnv) []L { return []L{{S("../", "outside")}} }, wantErr: ErrBreakout},
		{name: "root entry file", layers: func(breakoutEnv) []L { return []L{{F(".", "pwn")}, {F("a/..", "pwn")}} }, wantErr: ErrBreakout},
		{name: "root entry hardlink", layers: func(breakoutEnv) []L { return []L{{F("a", "x"), H("./", "a")}} }, wantErr: ErrBreakout},
		{name: "root entry dir dotdot", layers: func(breakoutEnv) []L { return []L{{{Type: tar.TypeDir, Name: "../", Mode: 0o700}}} }},
		{name: "device via dotdot", layers: func(breakoutEnv) []L { return []L{{{Type: tar.TypeFifo, Name: "../outside/fifo"}}} }},
		{name: "device through escaping symlink", layers: func(e breakoutEnv) []L {
			return []L{{S("esc", e.outside), {Type: tar.TypeFifo, Name: "esc/passwd"}}}
		}},
		{name: "symlink parent is file through symlink", layers: func(e breakoutEnv) []L {
			return []L{{S("p", filepath.Join(e.outside, "passwd")), F("p/x", "pwn")}}
		}},
		{name: "keepdirlinks escaping", layers: func(e breakoutEnv) []L {
			return []L{{S("d", e.outside), S("r", "../outside")}, {D("d"), D("r"), F("d/x", "pwn")}}
		}, inside: "d/x"},
	}
	for _, tc := range tests {
		for _, keep := range []bool{false, true} {
			name := tc.name
			if keep {
				name += "/keepdirlinks"
			}
			t.Run(name, func(t *testing.T) {
				e := newBreakoutEnv(t, t.TempDir())
				err := unpack(t, e.root, &UnpackOptions{KeepDirlinks: keep}, tc.layers(e)...)
				switch {
				case tc.wantErr == nil && err != nil:
					t.Fatalf("unpack: %v", err)
				case tc.wantErr == errAny && err == nil, tc.wantErr != nil && tc.wantErr != errAny && !errors.Is(err, tc.wantErr):
					t.Fatalf("unpack error = %v, want %v", err, tc.wantErr)
				}
				e.check(t)
				if tc.inside != "" {
					if got := readFile(t, filepath.Join(e.root, tc.inside)); got != "pwn" {
						t.Fatalf("%s = %q", tc.inside, got)
					}
				}
			})
		}
	}
}

func TestBreakoutNamesStayInside(t *testing.T) {
	e := newBreakoutEnv(t, t.TempDir())
	mustUnpack(t, e.root, nil, []layertest.Entry{
		layertest.File("../../x", "1"), layertest.File("/abs", "2"), layertest.File("./a/./b/../c", "3"),
	})
	e.check(t)
	var got []string
	_ = filepath.Walk(e.root, func(p string, _ os.FileInfo, _ error) error {
		rel, _ := filepath.Rel(e.root, p)
		got = append(got, rel)
		return nil
	})
	if want := []string{".", "a", "a/c", "abs", "x"}; !slices.Equal(got, want) {
		t.Fatalf("tree = %q, want %q", got, want)
	}
}
