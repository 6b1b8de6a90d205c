package dir

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Environment of a helper process: the test binary re-executed to act as a
// second process on a layout (see runHelper).
const (
	envHelper = "LADE_CASDIR_HELPER"
	envLayout = "LADE_CASDIR_LAYOUT"
	envArg    = "LADE_CASDIR_ARG"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(envHelper); mode != "" {
		if err := runHelper(mode, os.Getenv(envLayout), os.Getenv(envArg)); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runHelper is what a re-executed test binary does:
//
//	update   append a descriptor tagged ARG through UpdateIndex
//	slowput  start a PutBlob, print "ready" once data is on disk, then hang
//	readonly read blob ARG and the index, check that every write fails
//	         with cas.ErrReadOnly, print "ok euid=N"
func runHelper(mode, layout, arg string) error {
	ctx := context.Background()
	e, err := Open(ctx, layout)
	if err != nil {
		return err
	}
	defer e.Close()
	switch mode {
	case "update":
		return e.UpdateIndex(ctx, func(idx *ispec.Index) error {
			idx.Manifests = append(idx.Manifests, testDescriptor(arg))
			return nil
		})
	case "slowput":
		_, _, err := e.PutBlob(ctx, &hangingReader{})
		return err
	case "readonly":
		if err := helperReadOnly(ctx, e, digest.Digest(arg)); err != nil {
			return err
		}
		fmt.Printf("ok euid=%d\n", os.Geteuid())
		return nil
	}
	return fmt.Errorf("unknown helper mode %q", mode)
}

// hangingReader hands out one chunk, then announces "ready" on stdout and
// blocks forever, leaving a writer stuck mid-PutBlob.
type hangingReader struct{ calls int }

func (r *hangingReader) Read(p []byte) (int, error) {
	r.calls++
	if r.calls == 1 {
		return copy(p, strings.Repeat("partial blob ", 1000)), nil
	}
	fmt.Println("ready")
	// Sleep rather than select{}: a process whose only goroutine blocks in
	// select{} can be killed by the runtime's deadlock detector ("all
	// goroutines are asleep"), which made the killed-writer test flaky.
	for {
		time.Sleep(time.Hour)
	}
}

func helperReadOnly(ctx context.Context, e cas.Engine, d digest.Digest) error {
	rc, err := e.GetBlob(ctx, d)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return err
	}
	if err := rc.Close(); err != nil {
		return err
	}
	if _, err := e.GetIndex(ctx); err != nil {
		return err
	}
	_, _, putErr := e.PutBlob(ctx, strings.NewReader("new"))
	errs := map[string]error{
		"PutBlob":     putErr,
		"DeleteBlob":  e.DeleteBlob(ctx, d),
		"PutIndex":    e.PutIndex(ctx, ispec.Index{}),
		"UpdateIndex": e.UpdateIndex(ctx, func(*ispec.Index) error { return nil }),
	}
	for name, err := range errs {
		if !errors.Is(err, cas.ErrReadOnly) {
			return fmt.Errorf("%s: error %v, want %v", name, err, cas.ErrReadOnly)
		}
	}
	if _, err := e.StatBlob(ctx, d); err != nil {
		return fmt.Errorf("blob gone after refused delete: %w", err)
	}
	return nil
}

// testDescriptor is a manifest descriptor tagged name.
func testDescriptor(name string) ispec.Descriptor {
	return ispec.Descriptor{
		MediaType:   ispec.MediaTypeImageManifest,
		Digest:      digest.SHA256.FromString(name),
		Size:        int64(len(name)),
		Annotations: map[string]string{ispec.AnnotationRefName: name},
	}
}

// readLine reads one line from r, or fails after the reader ends.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	return strings.TrimSpace(line), err
}
