package layer

import (
	"archive/tar"
	"bytes"
	"path/filepath"
	"testing"

	"github.com/lade-oci/lade/internal/unpriv"
	"github.com/lade-oci/lade/layer/layertest"
)

// TestHostileRootless: mode-000 directories (which rootless mode opens up
// temporarily) holding symlinks that lead outside; as an unprivileged user
// when the suite runs as root.
func TestHostileRootless(t *testing.T) {
	if asNobody(t) {
		return
	}
	F, S, W := layertest.File, layertest.Symlink, layertest.Whiteout
	locked := func(name string) layertest.Entry {
		return layertest.Entry{Type: tar.TypeDir, Name: name, Mode: layertest.ModeNone}
	}
	for _, keep := range []bool{false, true} {
		e := newBreakoutEnv(t, t.TempDir())
		t.Cleanup(func() { _ = unpriv.RemoveAll(e.root, e.root) })
		opts := &UnpackOptions{KeepDirlinks: keep, MapOptions: MapOptions{Rootless: true}}
		layers := [][]layertest.Entry{
			{locked("l"), locked("l/in"), S("l/in/esc", "../../../outside"), S("l/abs", e.outside), S("l/f", filepath.Join(e.outside, "passwd"))},
			{F("l/in/esc/x", "pwn"), locked("l/abs"), F("l/abs/x", "pwn"), {Type: tar.TypeReg, Name: "l/f", Mode: layertest.ModeNone, Content: "pwn"}},
			{W("l/in/esc/.wh.passwd"), W("l/in/esc/.wh..wh..opq"), S("l/in", e.outside), locked("l/in"), W("l/in/.wh.sub")},
			{W(".wh.l"), W(".wh.outside")},
		}
		for i, l := range layers {
			if err := UnpackLayer(t.Context(), e.root, bytes.NewReader(layertest.Tar(t, l...)), opts); err != nil {
				t.Fatalf("keepdirlinks=%v layer %d: %v", keep, i, err)
			}
			e.check(t)
		}
		if got := listDir(t, e.root); got != "" {
			t.Fatalf("root after whiteout = %q", got)
		}
	}
}
