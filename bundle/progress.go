package bundle

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext"
)

// withProgress returns engine reporting to r the bytes read of each of
// layers' blobs (compressed, as stored); engine itself when r is nil. Only
// the blob reads are wrapped, where the layer blobs are opened, so the
// unpack code does not change.
func withProgress(engine casext.Engine, r progress.Reporter, layers []ispec.Descriptor) casext.Engine {
	if r == nil {
		return engine
	}
	sizes := make(map[digest.Digest]int64, len(layers))
	for _, l := range layers {
		sizes[l.Digest] = l.Size
	}
	return casext.NewEngine(progressEngine{Engine: engine.Engine, r: r, sizes: sizes})
}

// progressEngine reports reads of the layer blobs it knows.
type progressEngine struct {
	cas.Engine
	r     progress.Reporter
	sizes map[digest.Digest]int64
}

// GetBlob implements cas.Engine.
func (e progressEngine) GetBlob(ctx context.Context, d digest.Digest) (io.ReadCloser, error) {
	rc, err := e.Engine.GetBlob(ctx, d)
	size, ok := e.sizes[d]
	if err != nil || !ok {
		return rc, err
	}
	return &progressBlob{rc: rc, b: e.r.Start("Unpacking layer", d.String(), size)}, nil
}

// progressBlob counts what is read of a blob: done at its end, failed if
// it is closed before or a read fails.
type progressBlob struct {
	rc  io.ReadCloser
	b   progress.Blob
	end bool
}

func (p *progressBlob) Read(buf []byte) (int, error) {
	n, err := p.rc.Read(buf)
	p.b.Add(int64(n))
	switch {
	case errors.Is(err, io.EOF):
		p.b.Finish(progress.Done)
		p.end = true
	case err != nil:
		p.b.Finish(progress.Failed)
		p.end = true
	}
	return n, err
}

// File implements hardening.FileBacked for a blob that reads a file: the
// bar then counts what the verifying read of a mapped layer has read.
func (p *progressBlob) File() *os.File {
	if fb, ok := p.rc.(hardening.FileBacked); ok {
		return fb.File()
	}
	return nil
}

func (p *progressBlob) Close() error {
	err := p.rc.Close()
	if !p.end {
		p.b.Finish(progress.Failed)
	}
	return err
}

// progressState is the final state of a transfer that ended with err.
func progressState(err error) progress.State {
	if err != nil {
		return progress.Failed
	}
	return progress.Done
}
