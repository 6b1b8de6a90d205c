package dir

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lade-oci/lade/oci/cas"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Open parses index.json to validate the layout, and nearly every command
// reads it again right after (GetIndex or UpdateIndex): on a layout with
// many tags that second parse was a tenth of a small command's time. So
// the index Open parsed is kept with the bytes it came from, and handed to
// the first reader that reads index.json and finds the same bytes (a read
// is cheap next to a parse; a stat would not do, since a file replaced in
// the same clock tick can reuse the inode, size and times). Each reader
// gets a deep copy (cas.CloneIndex, a small fraction of a parse), so no two
// callers share its slices and maps: a command that resolves a tag and
// then updates the index parses index.json once. The copy is dropped when
// the engine writes index.json.

// parsedIndex is an index with the bytes it was parsed from.
type parsedIndex struct {
	idx  ispec.Index
	data []byte
}

// readIndexBytes reads root/index.json (at most cas.MaxIndexSize+1 bytes).
func readIndexBytes(root string) ([]byte, error) {
	f, err := os.Open(filepath.Join(root, indexFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", indexFile, cas.ErrNotExist)
		}
		return nil, err
	}
	defer f.Close()
	// One allocation of the size fstat gives and one read, where io.ReadAll
	// would grow its buffer from 512 bytes (a dozen copies for a layout
	// with a few hundred tags). A file that grows meanwhile is still read
	// to its end, up to the cap.
	size := int64(0)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = min(fi.Size(), cas.MaxIndexSize)
	}
	r := io.LimitReader(f, cas.MaxIndexSize+1)
	data := make([]byte, 0, size+1)
	for {
		if len(data) == cap(data) {
			if int64(len(data)) > cas.MaxIndexSize {
				return data, nil // over the cap: DecodeIndex says so
			}
			data = append(data, 0)[:len(data)]
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", indexFile, err)
		}
	}
}

// readStampedIndex reads and parses root/index.json, and keeps the bytes
// with the result. Manifests is never nil.
func readStampedIndex(root string) (ispec.Index, *parsedIndex, error) {
	data, err := readIndexBytes(root)
	if err != nil {
		return ispec.Index{}, nil, err
	}
	idx, err := cas.DecodeIndex(data)
	if err != nil {
		return idx, nil, err
	}
	return idx, &parsedIndex{idx: idx, data: data}, nil
}

// readIndex reads and parses root/index.json. Manifests is never nil.
func readIndex(root string) (ispec.Index, error) {
	idx, _, err := readStampedIndex(root)
	return idx, err
}

// currentIndex returns a copy of the index Open parsed if index.json still
// holds the same bytes, else the file parsed afresh.
func (e *engine) currentIndex() (ispec.Index, error) {
	e.mu.Lock()
	kept := e.parsed
	e.mu.Unlock()
	data, err := readIndexBytes(e.root)
	if err != nil {
		return ispec.Index{}, err
	}
	if kept != nil && bytes.Equal(data, kept.data) {
		return cas.CloneIndex(kept.idx), nil
	}
	return cas.DecodeIndex(data)
}

// forgetIndex drops the kept index (index.json is being replaced).
func (e *engine) forgetIndex() {
	e.mu.Lock()
	e.parsed = nil
	e.mu.Unlock()
}
