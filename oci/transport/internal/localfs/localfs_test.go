package localfs

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"
)

func TestResolve(t *testing.T) {
	tmp, _ := filepath.EvalSymlinks(t.TempDir())
	real := filepath.Join(tmp, "real")
	os.Mkdir(real, 0o755)
	os.Symlink(real, filepath.Join(tmp, "link"))
	os.Symlink(filepath.Join(tmp, "nowhere"), filepath.Join(tmp, "dangling"))

	for in, want := range map[string]string{
		filepath.Join(tmp, "link"):        real,
		filepath.Join(tmp, "link", "new"): filepath.Join(real, "new"),
		filepath.Join(tmp, "new"):         filepath.Join(tmp, "new"),
	} {
		got, err := Resolve(in)
		if err != nil || got.Path != want {
			t.Errorf("Resolve(%s) = %q, %v; want %q", in, got.Path, err, want)
		}
	}
	if got, _ := Resolve(filepath.Join(tmp, "link")); !got.Exists() || !got.Info.IsDir() {
		t.Errorf("Resolve of an existing directory: %+v", got)
	}
	if got, _ := Resolve(filepath.Join(tmp, "new")); got.Exists() {
		t.Error("a missing path exists")
	}
	for in, want := range map[string]string{
		filepath.Join(tmp, "a", "b"):   "lstat " + filepath.Join(tmp, "a") + ": no such file or directory",
		filepath.Join(tmp, "dangling"): "no such file or directory",
	} {
		if _, err := Resolve(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve(%s): %v, want %q", in, err, want)
		}
	}
}

func TestResolveOutput(t *testing.T) {
	tmp, _ := filepath.EvalSymlinks(t.TempDir())
	file := filepath.Join(tmp, "f.tar")
	os.WriteFile(file, nil, 0o600)
	os.Symlink(file, filepath.Join(tmp, "l.tar"))
	if o, err := ResolveOutput(filepath.Join(tmp, "l.tar")); err != nil || o.Path != file || o.Special() {
		t.Fatalf("link to a file: %+v %v", o, err)
	}
	if _, err := ResolveOutput(tmp); !errors.Is(err, unix.EISDIR) {
		t.Fatalf("directory: %v", err)
	}
	if o, err := ResolveOutput("/dev/null"); err != nil || o.Path != "/dev/null" || !o.Special() {
		t.Fatalf("/dev/null: %+v %v", o, err)
	}
	if _, err := ResolveOutput(filepath.Join(tmp, "no", "x.tar")); err == nil {
		t.Fatal("missing parent accepted")
	}
}

func TestWriteFile(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	path := filepath.Join(tmp, "out")
	os.WriteFile(path, []byte("old"), 0o640)
	o, _ := ResolveOutput(path)
	fill := func(data string) func(ctx context.Context, f *os.File) error {
		return func(ctx context.Context, f *os.File) error { _, err := f.WriteString(data); return err }
	}
	// A failing fill leaves the file and no temporary file.
	boom := errors.New("boom")
	if err := o.WriteFile(ctx, false, 0, func(context.Context, *os.File) error { return boom }); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("after a failed write: %q", got)
	}
	if err := o.WriteFile(ctx, false, 0, fill("new")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("content %q", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want the replaced file's", fi.Mode())
	}
	// noReplace: a file that appeared meanwhile is not clobbered.
	fresh := filepath.Join(tmp, "fresh")
	o, _ = ResolveOutput(fresh)
	os.WriteFile(fresh, []byte("someone else's"), 0o644)
	if err := o.WriteFile(ctx, true, 0, fill("mine")); !errors.Is(err, unix.EEXIST) {
		t.Fatalf("noReplace over a new file: %v", err)
	}
	if got, _ := os.ReadFile(fresh); string(got) != "someone else's" {
		t.Fatal("noReplace replaced a file")
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 2 {
		t.Fatalf("left behind: %v", ents)
	}
}

func TestStage(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	base := filepath.Join(tmp, "img.tar")
	// A leftover of a killed process (not locked) is removed; a live
	// stage is not.
	stale := filepath.Join(tmp, TempName(base)+"123")
	os.Mkdir(stale, 0o700)
	live, err := NewStage(tmp, base, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a stale stage was kept")
	}
	other, err := NewStage(tmp, base, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(live.Dir()); err != nil {
		t.Fatal("a live stage was removed")
	}
	content := []byte("blob")
	d := ispec.Descriptor{Digest: digest.FromBytes(content), Size: 4}
	if err := live.Put(ctx, d.Digest.Encoded(), ispec.Descriptor{Digest: digest.FromString("x"), Size: 4}, bytes.NewReader(content)); !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("mismatch: %v", err)
	}
	if err := live.Put(ctx, "../escape", d, bytes.NewReader(content)); err == nil {
		t.Fatal("a path was accepted as a name")
	}
	if err := live.Put(ctx, d.Digest.Encoded(), d, bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if !live.Has(d.Digest.Encoded(), 4) || live.Has(d.Digest.Encoded(), 5) {
		t.Fatal("Has")
	}
	f, err := live.Open(d.Digest.Encoded())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, content) || strings.Join(live.Names(), ",") != d.Digest.Encoded() {
		t.Fatalf("stored %q, names %v", got, live.Names())
	}
	for _, s := range []*Stage{live, other} {
		if err := s.Remove(); err != nil {
			t.Fatal(err)
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Fatalf("left behind: %v", ents)
	}
}
