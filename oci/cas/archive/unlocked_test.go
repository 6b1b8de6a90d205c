package archive

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lade-oci/lade/oci/cas"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestOpenUnlocked opens an archive that another engine holds exclusively:
// OpenUnlocked neither waits nor disturbs it, reads like Open, refuses every
// write, and leaves the file untouched on Close.
func TestOpenUnlocked(t *testing.T) {
	p := layoutTar(t, smallLayout(t))
	before, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	writer := mustOpen(t, p)
	if err := writer.LockExclusive(t.Context()); err != nil {
		t.Fatal(err)
	}
	want, err := writer.GetIndex(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	e, err := OpenUnlocked(ctx, p)
	if err != nil {
		t.Fatalf("OpenUnlocked while locked exclusively: %v", err)
	}
	got, err := e.GetIndex(ctx)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("GetIndex = %+v, %v; want %+v", got, err, want)
	}
	if _, err := readAll(t, e, want.Manifests[0].Digest); err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	if _, _, err := e.PutBlob(ctx, strings.NewReader("x")); !errors.Is(err, cas.ErrReadOnly) {
		t.Fatalf("PutBlob: %v, want read-only", err)
	}
	if err := e.UpdateIndex(ctx, func(*ispec.Index) error { return nil }); !errors.Is(err, cas.ErrReadOnly) {
		t.Fatalf("UpdateIndex: %v, want read-only", err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("archive changed (%v)", err)
	}
}

// TestOpenUnlockedRefuses: what Open refuses, OpenUnlocked refuses too, and
// a legacy archive (which Open would hash) and a FIFO (which must not hang)
// are refused at once.
func TestOpenUnlockedRefuses(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.tar")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	legacy := writeTar(t, dockerStyle(t, legacyImg{config: imageConfig(t, layerTar(t, "a")), layers: []string{layerTar(t, "a")}, tags: []string{"x:1"}})...)
	for _, c := range []struct {
		name, path string
		want       error
	}{
		{"missing", filepath.Join(t.TempDir(), "none.tar"), cas.ErrNotExist},
		{"directory", t.TempDir(), cas.ErrInvalid},
		{"fifo", fifo, cas.ErrInvalid},
		{"legacy", legacy, cas.ErrInvalid},
		{"no index", writeTar(t, file("oci-layout", okLayout)), cas.ErrInvalid},
		{"corrupt index", writeTar(t, file("oci-layout", okLayout), file("index.json", "{")), cas.ErrInvalid},
		{"not a tar", writeFile(t, "junk.tar", []byte(strings.Repeat("junk", 300))), cas.ErrInvalid},
	} {
		e, err := OpenUnlocked(t.Context(), c.path)
		if err == nil {
			e.Close()
		}
		wantErr(t, c.name, err, c.want)
	}
}
