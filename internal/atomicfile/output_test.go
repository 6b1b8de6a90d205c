package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestWriteOutput(t *testing.T) {
	write := func(t *testing.T, path, data string) error {
		t.Helper()
		return WriteOutput(t.Context(), path, 0o644, func(w io.Writer) error {
			_, err := io.WriteString(w, data)
			return err
		})
	}
	read := func(t *testing.T, path string) string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	t.Run("new file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "out")
		if err := write(t, p, "new"); err != nil || read(t, p) != "new" {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("regular file replaced atomically", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "out")
		if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		before, _ := os.Stat(p)
		boom := errors.New("boom")
		err := WriteOutput(t.Context(), p, 0o644, func(w io.Writer) error {
			_, _ = io.WriteString(w, "partial")
			return boom
		})
		if !errors.Is(err, boom) || read(t, p) != "old" {
			t.Fatalf("failed write: err %v, content %q", err, read(t, p))
		}
		if err := write(t, p, "new"); err != nil || read(t, p) != "new" {
			t.Fatalf("err %v", err)
		}
		after, _ := os.Stat(p)
		if os.SameFile(before, after) {
			t.Error("file rewritten in place, want a rename")
		}
	})
	t.Run("symlink written through", func(t *testing.T) {
		dir := t.TempDir()
		target, link := filepath.Join(dir, "target"), filepath.Join(dir, "link")
		if err := os.WriteFile(target, []byte("a much longer old content"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("target", link); err != nil {
			t.Fatal(err)
		}
		if err := write(t, link, "new"); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("link replaced: %v %v", fi.Mode(), err)
		}
		if got := read(t, target); got != "new" {
			t.Fatalf("target holds %q, want it truncated and rewritten", got)
		}
	})
	t.Run("fifo", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "fifo")
		if err := unix.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			b, _ := os.ReadFile(p)
			got <- string(b)
		}()
		if err := write(t, p, "piped"); err != nil {
			t.Fatal(err)
		}
		if g := <-got; g != "piped" {
			t.Fatalf("read %q", g)
		}
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			t.Fatalf("fifo replaced: %v", err)
		}
	})
	t.Run("directory and link to one refused", func(t *testing.T) {
		dir := t.TempDir()
		d := filepath.Join(dir, "d")
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("d", filepath.Join(dir, "dl")); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{d, filepath.Join(dir, "dl")} {
			if err := write(t, p, "x"); !errors.Is(err, syscall.EISDIR) {
				t.Errorf("%s: err %v, want EISDIR", p, err)
			}
		}
		if entries, _ := os.ReadDir(d); len(entries) != 0 {
			t.Errorf("directory now holds %v", entries)
		}
	})
}
