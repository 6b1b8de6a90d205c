package layout

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/internal/localfs"
	"github.com/lade-oci/lade/oci/transport/internal/tarout"
	specs "github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// layoutFile is the oci-layout member lade writes (as oci/cas/dir does).
const layoutFile = `{"imageLayoutVersion":"1.0.0"}` + "\n"

// archiveDest writes an OCI archive (oci-archive:) holding only the copied
// image. Blobs are staged in a temporary directory; Commit assembles the
// archive in a temporary file and renames it over the path, or, for a file
// that cannot be replaced (a mount point, in a directory the user may not
// write), rewrites the file in place.
type archiveDest struct {
	name  transport.Name
	out   localfs.Output
	stage *localfs.Stage
	// compression is what the destination asks for its layers.
	compression transport.LayerCompression

	mu   sync.Mutex
	done bool // committed or closed: the stage is gone
}

// openArchiveDest checks the path of an oci-archive: destination, decides
// how it is written (replaced by rename, rewritten in place, or written
// through: see localfs.Output.Prepare) and creates the staging directory.
func openArchiveDest(ctx context.Context, name transport.Name, opts transport.Options) (*archiveDest, error) {
	out, err := localfs.ResolveOutput(name.Path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	stage, err := out.Prepare(ctx, localfs.TempDir(opts.TempDir))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	return &archiveDest{name: name, out: out, stage: stage, compression: layerCompression(opts)}, nil
}

func (d *archiveDest) Name() transport.Name                         { return d.name }
func (d *archiveDest) ManifestTypes() []string                      { return ociTypes }
func (d *archiveDest) LayerCompression() transport.LayerCompression { return d.compression }

func (d *archiveDest) Has(ctx context.Context, desc ispec.Descriptor) (bool, error) {
	if checkBlobDigest(desc) != nil {
		return false, nil
	}
	return d.stage.Has(desc.Digest.Encoded(), desc.Size), nil
}

func (d *archiveDest) PutBlob(ctx context.Context, desc ispec.Descriptor, r io.Reader) error {
	if err := checkBlobDigest(desc); err != nil {
		return fmt.Errorf("store blob in %s: %w", d.name, err)
	}
	if err := d.stage.Put(ctx, desc.Digest.Encoded(), desc, r); err != nil {
		return fmt.Errorf("store blob in %s: %w", d.name, err)
	}
	return nil
}

func (d *archiveDest) PutManifest(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := checkRaw(desc, raw); err != nil {
		return fmt.Errorf("store manifest in %s: %w", d.name, err)
	}
	return d.PutBlob(ctx, desc, bytes.NewReader(raw))
}

// Commit writes the archive: blobs/ and blobs/sha256/ directories, every
// staged blob sorted by digest, index.json (one entry, tagged unless the
// name has no tag) and oci-layout, all owned by root, files 0644 and
// directories 0755, dated SOURCE_DATE_EPOCH or the Unix epoch.
func (d *archiveDest) Commit(ctx context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := d.PutManifest(ctx, desc, raw); err != nil {
		return err
	}
	entry := ispec.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}
	if d.name.Tag != "" {
		entry.Annotations = map[string]string{casext.RefNameAnnotation: d.name.Tag}
	}
	index, err := json.Marshal(ispec.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ispec.MediaTypeImageIndex,
		Manifests: []ispec.Descriptor{entry},
	})
	if err != nil {
		return fmt.Errorf("commit %s: %w", d.name, err)
	}
	// blobs/, blobs/sha256/, the blobs, index.json and oci-layout.
	size := tarout.MaxSize(len(d.stage.Names())+4, d.stage.Size()+int64(len(index)+len(layoutFile)))
	err = d.out.WriteFile(ctx, false, size, func(ctx context.Context, f *os.File) error {
		return d.writeArchive(ctx, f, index)
	})
	if err != nil {
		return fmt.Errorf("commit %s: %w", d.name, err)
	}
	return d.finish()
}

// writeArchive writes the archive's members to f.
func (d *archiveDest) writeArchive(ctx context.Context, f *os.File, index []byte) error {
	mtime := memberTime()
	hdr := func(typ byte, name string, mode int64) *tar.Header {
		return &tar.Header{Typeflag: typ, Name: name, Mode: mode, ModTime: mtime, Uname: "root", Gname: "root"}
	}
	w := tarout.New(f)
	for _, name := range []string{"blobs/", "blobs/sha256/"} {
		if err := w.Add(ctx, hdr(tar.TypeDir, name, 0o755), nil); err != nil {
			return err
		}
	}
	for _, name := range d.stage.Names() {
		if err := d.addStaged(ctx, w, hdr(tar.TypeReg, "blobs/sha256/"+name, 0o644), name); err != nil {
			return err
		}
	}
	if err := w.AddBytes(ctx, hdr(tar.TypeReg, "index.json", 0o644), index); err != nil {
		return err
	}
	if err := w.AddBytes(ctx, hdr(tar.TypeReg, "oci-layout", 0o644), []byte(layoutFile)); err != nil {
		return err
	}
	return w.Close()
}

// addStaged writes staged file name as member hdr.
func (d *archiveDest) addStaged(ctx context.Context, w *tarout.Writer, hdr *tar.Header, name string) error {
	f, err := d.stage.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	hdr.Size = fi.Size()
	return w.Add(ctx, hdr, f)
}

// finish removes the stage and releases the output once, after Commit or
// at Close.
func (d *archiveDest) finish() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return nil
	}
	d.done = true
	return errors.Join(d.stage.Remove(), d.out.Close())
}

// Close discards the stage; without a successful Commit the archive path
// is untouched.
func (d *archiveDest) Close() error { return d.finish() }

// memberTime is the modification time of the members written:
// SOURCE_DATE_EPOCH when it is a valid number of seconds, else the Unix
// epoch (as oci/cas/archive does), so that a copy is reproducible.
func memberTime() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
			return time.Unix(n, 0)
		}
	}
	return time.Unix(0, 0)
}
