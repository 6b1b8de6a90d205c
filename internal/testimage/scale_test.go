package testimage

import (
	"os"
	"path/filepath"
	"testing"
)

// TestScaleRecipe builds the at-scale image at a hundredth of its size
// from this machine's files: it has the shape of the full one (eight
// layers, links, whiteouts, an opaque directory), the same files give the
// same image, and a file that changes after it was listed fails the
// write instead of writing a wrong layer.
func TestScaleRecipe(t *testing.T) {
	if _, err := os.Stat("/usr/bin"); err != nil {
		t.Skipf("no /usr/bin here: %v", err)
	}
	b, st, err := Scale(100)
	if err != nil {
		t.Fatal(err)
	}
	if st.Layers != 8 || st.Files < 100 || st.Dirs == 0 || st.Symlinks == 0 || st.Hardlinks == 0 || st.Whiteouts == 0 {
		t.Fatalf("scale image lacks entries: %+v", st)
	}
	for i, l := range b.Layers {
		for _, e := range l.Entries {
			if _, err := header(e); err != nil {
				t.Fatalf("layer %d entry %+v: %v", i, e, err)
			}
		}
	}
	_, st2, err := Scale(100)
	if err != nil {
		t.Fatal(err)
	}
	if st2.Fingerprint != st.Fingerprint || st2.Entries != st.Entries {
		t.Fatalf("Scale is not deterministic: %+v vs %+v", st, st2)
	}
	if _, _, err := Scale(0); err == nil {
		t.Error("Scale(0): no error")
	}
}

func TestHostFileChanged(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	var st BenchStats
	l := newHostLayer(1<<20, &st)
	if err := l.addTree(dir, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("short"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := New()
	b.AddLayer(Gzip, "changed", l.entries...)
	if _, err := b.Write(t.Context(), filepath.Join(dir, "img"), "t"); err == nil {
		t.Fatal("a file that shrank after it was listed was written without error")
	}
}
