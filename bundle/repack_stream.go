package bundle

import (
	"context"
	"errors"
	"io"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/mutate"
	"github.com/lade-oci/lade/oci/compress"
)

// errLayerAborted stops a layer generator whose consumer gave up.
var errLayerAborted = errors.New("layer consumer stopped")

// StreamLayer runs generate in its own goroutine, writing an uncompressed tar
// into a pipe that mut.Add reads, compresses with alg and stores; no
// temporary file is written. It returns once both sides have finished,
// with the new layer descriptor.
func StreamLayer(ctx context.Context, mut *mutate.Mutator, alg compress.Algorithm, history *ispec.History,
	generate func(w io.Writer) error) (ispec.Descriptor, error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := generate(pw)
		pw.CloseWithError(err)
		done <- err
	}()
	desc, addErr := mut.Add(ctx, pr, alg, history, nil)
	pr.CloseWithError(errLayerAborted)
	genErr := <-done
	switch {
	case genErr != nil && !errors.Is(genErr, errLayerAborted) && !errors.Is(genErr, io.ErrClosedPipe):
		return ispec.Descriptor{}, genErr
	case addErr != nil:
		return ispec.Descriptor{}, addErr
	case genErr != nil:
		return ispec.Descriptor{}, genErr
	}
	return desc, nil
}
