package dirimage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// source reads a dir: directory.
type source struct {
	name   transport.Name
	path   string
	top    ispec.Descriptor
	topRaw []byte
}

// OpenSource opens a dir: directory and reads its manifest.json. A missing
// directory or manifest.json is an error matching transport.ErrNotFound.
func OpenSource(ctx context.Context, name transport.Name, opts transport.Options) (transport.Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if name.Transport != transport.Dir {
		return nil, fmt.Errorf("open %s: %w", name, transport.ErrUnsupported)
	}
	raw, err := readCapped(filepath.Join(name.Path, manifestFile), transport.MaxManifestSize)
	if err != nil {
		return nil, openErr(name, err)
	}
	mt, err := manifestType(raw)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	top := ispec.Descriptor{MediaType: mt, Digest: digest.FromBytes(raw), Size: int64(len(raw))}
	return &source{name: name, path: name.Path, top: top, topRaw: raw}, nil
}

// openErr is "open NAME: err", matching transport.ErrNotFound for a
// missing file.
func openErr(name transport.Name, err error) error {
	err = fmt.Errorf("open %s: %w", name, err)
	if errors.Is(err, fs.ErrNotExist) {
		return localfs.WithKind(err, transport.ErrNotFound)
	}
	return err
}

// readCapped reads the regular file path, refusing one over limit bytes.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	} else if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, over the limit of %d", path, fi.Size(), limit)
	}
	return io.ReadAll(io.LimitReader(f, limit+1))
}

func (s *source) Name() transport.Name { return s.name }

func (s *source) Resolve(ctx context.Context) (ispec.Descriptor, error) {
	return s.top, ctx.Err()
}

// Fetch opens desc's file: manifest.json for the top manifest,
// "<hex>.manifest.json" (else "<hex>") for another manifest or index, and
// "<hex>" for anything else; the reader is verified against desc.
func (s *source) Fetch(ctx context.Context, desc ispec.Descriptor) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := desc.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("fetch %q from %s: invalid digest: %w", desc.Digest, s.name, err)
	}
	if desc.Digest == s.top.Digest {
		return hardening.NewVerifiedReader(io.NopCloser(bytes.NewReader(s.topRaw)), desc.Digest, desc.Size), nil
	}
	names := []string{blobFile(desc.Digest)}
	if isManifestType(desc.MediaType) {
		names = []string{instanceFile(desc.Digest), blobFile(desc.Digest)}
	}
	var f *os.File
	var err error
	for _, n := range names {
		if f, err = os.Open(filepath.Join(s.path, n)); !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		err = fmt.Errorf("fetch %s from %s: %w", desc.Digest, s.name, err)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, localfs.WithKind(err, transport.ErrNotFound)
		}
		return nil, err
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
		err = fmt.Errorf("fetch %s from %s: %w", desc.Digest, s.name, err)
	case !fi.Mode().IsRegular():
		err = fmt.Errorf("fetch %s from %s: %s is not a regular file", desc.Digest, s.name, f.Name())
	case fi.Size() != desc.Size:
		err = fmt.Errorf("fetch %s from %s: %s is %d bytes, want %d: %w", desc.Digest, s.name, f.Name(), fi.Size(), desc.Size, cas.ErrDigestMismatch)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return hardening.NewVerifiedReader(f, desc.Digest, desc.Size), nil
}

func (s *source) Close() error { return nil }
