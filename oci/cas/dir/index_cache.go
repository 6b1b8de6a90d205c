package dir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/lade-oci/lade/oci/cas"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Open parses index.json to validate the layout, and nearly every command
// reads it again right after (GetIndex or UpdateIndex): on a layout with
// many tags that second parse was a tenth of a small command's time. So
// the index Open parsed is kept, with the stat of the file it came from,
// and handed to the first reader that finds index.json unchanged: same
// inode, size, mtime and ctime (lade, umoci and most editors replace the
// file, which changes the inode; writing it in place changes ctime). It
// is handed out once, so no two callers share its slices and maps; later
// reads parse the file again.

// indexStamp identifies one version of index.json.
type indexStamp struct {
	ino, size        uint64
	mtimeNs, ctimeNs int64
}

func stampOf(fi fs.FileInfo) (indexStamp, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return indexStamp{}, false
	}
	return indexStamp{ino: st.Ino, size: uint64(st.Size),
		mtimeNs: st.Mtim.Nano(), ctimeNs: st.Ctim.Nano()}, true
}

// parsedIndex is an index with the stamp of the file it was parsed from.
type parsedIndex struct {
	idx   ispec.Index
	stamp indexStamp
}

// readStampedIndex reads and parses root/index.json, and stamps it when
// the file can be stamped (nil otherwise). Manifests is never nil.
func readStampedIndex(root string) (ispec.Index, *parsedIndex, error) {
	f, err := os.Open(filepath.Join(root, indexFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return ispec.Index{}, nil, fmt.Errorf("%s: %w", indexFile, cas.ErrNotExist)
		}
		return ispec.Index{}, nil, err
	}
	defer f.Close()
	var stamp indexStamp
	stamped := false
	if fi, err := f.Stat(); err == nil {
		stamp, stamped = stampOf(fi)
	}
	data, err := io.ReadAll(io.LimitReader(f, cas.MaxIndexSize+1))
	if err != nil {
		return ispec.Index{}, nil, fmt.Errorf("read %s: %w", indexFile, err)
	}
	idx, err := cas.DecodeIndex(data)
	if err != nil || !stamped {
		return idx, nil, err
	}
	return idx, &parsedIndex{idx: idx, stamp: stamp}, nil
}

// readIndex reads and parses root/index.json. Manifests is never nil.
func readIndex(root string) (ispec.Index, error) {
	idx, _, err := readStampedIndex(root)
	return idx, err
}

// currentIndex returns the index Open parsed if index.json has not
// changed since (and forgets it), else the file parsed afresh.
func (e *engine) currentIndex() (ispec.Index, error) {
	e.mu.Lock()
	kept := e.parsed
	e.parsed = nil
	e.mu.Unlock()
	if kept != nil {
		if fi, err := os.Stat(filepath.Join(e.root, indexFile)); err == nil {
			if now, ok := stampOf(fi); ok && now == kept.stamp {
				return kept.idx, nil
			}
		}
	}
	return readIndex(e.root)
}

// forgetIndex drops the kept index (index.json is being replaced).
func (e *engine) forgetIndex() {
	e.mu.Lock()
	e.parsed = nil
	e.mu.Unlock()
}
