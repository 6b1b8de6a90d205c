package peek

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/archive"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxBlobSize caps the blobs peek reads (indexes and manifests).
const maxBlobSize = 4 << 20

// source is an opened layout directory or archive.
type source interface {
	index(ctx context.Context) (ispec.Index, error)
	blob(ctx context.Context, d digest.Digest) ([]byte, error)
	close()
}

// open opens path as an archive when it is a regular file, else as a
// layout directory.
func open(ctx context.Context, path string) (source, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if fi.Mode().IsRegular() {
		e, err := archive.OpenUnlocked(ctx, path)
		if err != nil {
			return nil, err
		}
		return archiveSource{e}, nil
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open %s: %w: not a directory or archive", path, cas.ErrInvalid)
	}
	return dirSource(path), nil
}

// archiveSource reads an OCI archive.
type archiveSource struct{ e *archive.Engine }

func (s archiveSource) index(ctx context.Context) (ispec.Index, error) { return s.e.GetIndex(ctx) }

func (s archiveSource) blob(ctx context.Context, d digest.Digest) ([]byte, error) {
	size, err := s.e.StatBlob(ctx, d)
	if err != nil {
		return nil, err
	}
	if size > maxBlobSize {
		return nil, fmt.Errorf("blob %s: %w: larger than %d bytes", d, cas.ErrInvalid, maxBlobSize)
	}
	rc, err := s.e.GetBlob(ctx, d)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc) // verified against d at EOF
}

func (s archiveSource) close() { _ = s.e.Close() }

// dirSource reads a layout directory.
type dirSource string

func (s dirSource) index(context.Context) (ispec.Index, error) {
	data, err := readRegular(filepath.Join(string(s), ispec.ImageIndexFile), cas.MaxIndexSize)
	if err != nil {
		return ispec.Index{}, err
	}
	return cas.DecodeIndex(data)
}

func (s dirSource) blob(_ context.Context, d digest.Digest) ([]byte, error) {
	if err := cas.ValidateDigest(d); err != nil {
		return nil, err
	}
	data, err := readRegular(filepath.Join(string(s), ispec.ImageBlobsDir, d.Algorithm().String(), d.Encoded()), maxBlobSize)
	if err != nil {
		return nil, err
	}
	if digest.FromBytes(data) != d {
		return nil, fmt.Errorf("blob %s: %w", d, cas.ErrDigestMismatch)
	}
	return data, nil
}

func (dirSource) close() {}

// readRegular reads the regular file at path, refusing more than max
// bytes. O_NONBLOCK keeps a FIFO from hanging the open; the fstat refuses
// it (and devices) before any read.
func readRegular(path string, max int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: %w: not a regular file", path, cas.ErrInvalid)
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("read %s: %w: larger than %d bytes", path, cas.ErrInvalid, max)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("read %s: %w: larger than %d bytes", path, cas.ErrInvalid, max)
	}
	return data, nil
}
