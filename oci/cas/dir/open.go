package dir

import (
	"context"
	"encoding/json"
	"errors"

	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lade-oci/lade/internal/system"
	"github.com/lade-oci/lade/oci/cas"
	"golang.org/x/sys/unix"
)

// maxLayoutFileSize caps how much of oci-layout is read before parsing.
const maxLayoutFileSize = 1 << 20

// Open validates the layout at path and opens it. The engine holds a shared
// flock on blobs/ until Close (waiting, until ctx is done, while another
// engine holds it exclusively). A layout this process cannot write opens
// read-only: reads work and writes fail with cas.ErrReadOnly.
//
// Errors read "open layout: REASON" and match cas.ErrNotExist (path
// missing) or cas.ErrInvalid (not a valid layout).
func Open(ctx context.Context, path string) (cas.Engine, error) {
	if path == "" {
		return nil, layoutErr(cas.ErrInvalid, nil, "empty path")
	}
	root, err := filepath.Abs(path)
	if err != nil {
		return nil, layoutErr(cas.ErrInvalid, err, "%v", err)
	}
	parsed, err := validate(root, path)
	if err != nil {
		return nil, err
	}
	own, err := ownerOf(root)
	if err != nil {
		return nil, layoutErr(err, nil, "%v", err)
	}
	lf, err := os.Open(filepath.Join(root, blobsDir))
	if err != nil {
		return nil, layoutErr(err, nil, "%v", err)
	}
	if err := system.FlockWait(ctx, lf, system.LockShared); err != nil {
		lf.Close()
		return nil, layoutErr(err, nil, "lock blobs: %v", err)
	}
	return &engine{
		root:     root,
		readOnly: !writable(root),
		owner:    own,
		lockFile: lf,
		live:     map[string]struct{}{},
		parsed:   parsed,
	}, nil
}

// validate checks what a layout must have: the directory itself, oci-layout
// with version 1.0.0, a blobs directory and a parseable index.json. shown is
// the path as the user gave it.
func validate(root, shown string) (*parsedIndex, error) {
	if err := statKind(root, true); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, layoutErr(cas.ErrNotExist, nil, "%s does not exist", shown)
		}
		return nil, layoutErr(cas.ErrInvalid, err, "%s", kindMsg(shown, err))
	}
	if err := noSymlinks(root); err != nil {
		return nil, err
	}
	if err := validateLayoutFile(root); err != nil {
		return nil, err
	}
	if err := statKind(filepath.Join(root, blobsDir), true); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, layoutErr(cas.ErrInvalid, nil, "missing %s directory", blobsDir)
		}
		return nil, layoutErr(cas.ErrInvalid, err, "%s", kindMsg(blobsDir, err))
	}
	sha := filepath.Join(blobsDir, string(cas.BlobAlgorithm))
	if err := statKind(filepath.Join(root, sha), true); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, layoutErr(cas.ErrInvalid, err, "%s", kindMsg(sha, err))
	}
	if err := statKind(filepath.Join(root, indexFile), false); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, layoutErr(cas.ErrInvalid, nil, "missing %s file", indexFile)
		}
		return nil, layoutErr(cas.ErrInvalid, err, "%s", kindMsg(indexFile, err))
	}
	_, parsed, err := readStampedIndex(root)
	if err != nil {
		return nil, layoutErr(cas.ErrInvalid, err, "%v", err)
	}
	return parsed, nil
}

// noSymlinks refuses a layout whose oci-layout, index.json, blobs or
// blobs/sha256 is a symlink: through it, reads would come from (and gc,
// writes and cleanup would go to) a place outside the layout. Every
// command refuses such a layout, readers included.
func noSymlinks(root string) error {
	for _, name := range []string{layoutFile, indexFile, blobsDir, filepath.Join(blobsDir, string(cas.BlobAlgorithm))} {
		fi, err := os.Lstat(filepath.Join(root, name))
		if err != nil {
			continue // missing or unreadable: the checks below word it
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return layoutErr(cas.ErrInvalid, nil, "%s is a symlink: everything a layout holds must be inside it", name)
		}
	}
	return nil
}

// Errors from statKind for a file of the wrong type.
var (
	errNotDir     = errors.New("is not a directory")
	errNotRegular = errors.New("is not a regular file")
)

// statKind stats path (following symlinks) and checks it is a directory
// (dir) or a regular file (!dir).
func statKind(path string, dir bool) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return err
	case dir && !fi.IsDir():
		return errNotDir
	case !dir && !fi.Mode().IsRegular():
		return errNotRegular
	}
	return nil
}

// kindMsg words a statKind failure: "NAME is not a directory", or the
// underlying error (which names the path) for anything else.
func kindMsg(name string, err error) string {
	if errors.Is(err, errNotDir) || errors.Is(err, errNotRegular) {
		return name + " " + err.Error()
	}
	return err.Error()
}

// validateLayoutFile checks root/oci-layout.
func validateLayoutFile(root string) error {
	p := filepath.Join(root, layoutFile)
	if err := statKind(p, false); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return layoutErr(cas.ErrInvalid, nil, "missing %s file", layoutFile)
		}
		return layoutErr(cas.ErrInvalid, err, "%s", kindMsg(layoutFile, err))
	}
	f, err := os.Open(p)
	if err != nil {
		return layoutErr(cas.ErrInvalid, err, "%v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxLayoutFileSize))
	if err != nil {
		return layoutErr(cas.ErrInvalid, err, "read %s: %v", layoutFile, err)
	}
	var l struct {
		Version string `json:"imageLayoutVersion"`
	}
	if err := json.Unmarshal(data, &l); err != nil {
		return layoutErr(cas.ErrInvalid, err, "%s: invalid JSON: %v", layoutFile, err)
	}
	if l.Version != layoutVersion {
		return layoutErr(cas.ErrInvalid, nil, "%s: unsupported imageLayoutVersion %q", layoutFile, l.Version)
	}
	return nil
}

// writable reports whether this process may create files in root: the
// filesystem is not mounted read-only and the effective ids have write
// permission on the directory.
func writable(root string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err == nil && st.Flags&unix.ST_RDONLY != 0 {
		return false
	}
	return unix.Faccessat(unix.AT_FDCWD, root, unix.W_OK, unix.AT_EACCESS) == nil
}
