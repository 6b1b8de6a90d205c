package archive

import (
	"context"

	"github.com/lade-oci/lade/oci/cas"
)

// OpenUnlocked opens the OCI image archive at path for reading without
// taking its lock, for callers that only peek at index.json and a few small
// blobs and must never wait for a writer nor keep one waiting (shell
// completion). The engine is read-only: every write method fails with
// cas.ErrReadOnly and Close only closes the file.
//
// A writer may replace the archive while it is open: the engine goes on
// reading the old file, whose content a replacement never changes (writers
// rename a new file over it), and blob reads are digest-verified anyway.
// A legacy docker save archive is refused with cas.ErrInvalid, because
// opening one hashes every layer it names.
func OpenUnlocked(ctx context.Context, path string) (*Engine, error) {
	if path == "" {
		return nil, archiveErr(cas.ErrInvalid, nil, "empty path")
	}
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, archiveErr(cas.ErrInvalid, err, "%v", err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, archiveErr(cas.ErrInvalid, nil, "%s is not a regular file", path)
	}
	cat, err := scan(ctx, f, fi.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	if isLegacy(cat) {
		f.Close()
		return nil, archiveErr(cas.ErrInvalid, nil, "%s is a legacy docker archive: it is only read with its lock", path)
	}
	e := &Engine{path: path, r: f, c: f, cat: cat}
	if err := e.validate(); err != nil {
		f.Close()
		return nil, err
	}
	return e, nil
}
