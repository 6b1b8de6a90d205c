package archive

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// Names of the layout members inside an archive.
const (
	layoutFile = "oci-layout"
	indexFile  = "index.json"
	blobPrefix = "blobs/" + string(cas.BlobAlgorithm) + "/"
)

// maxMembers caps how many members an archive may have, bounding the memory
// a hostile archive of empty members can make the scan use.
const maxMembers = 1 << 20

// member is where the content of one file lives in the archive.
type member struct {
	name   string // cleaned member name
	offset int64  // of the first content byte
	size   int64
	bad    string      // non-empty: why the member cannot be read as a file
	dir    bool        // a directory member (never listed as a blob)
	link   string      // a symbolic link member's target, as written in the archive
	hard   string      // a hard link member's target, cleaned
	mem    []byte      // non-nil: the content, held in memory (legacy manifests)
	src    io.ReaderAt // non-nil: where the content is read from instead of the archive (write*.go)
}

// catalog is what a scan found: the layout members by role.
type catalog struct {
	layout, index *member
	blobs         map[digest.Digest]member
	members       map[string]member        // every member by cleaned name, for legacy archives
	dups          map[string]bool          // names of members that appear more than once
	pins          map[digest.Digest]string // nil until computed: blobs kept members name (write_pins.go)
}

// scanner walks the tar headers of one archive. regular holds every regular
// member seen so far by cleaned name, for resolving hard links.
type scanner struct {
	r       *endReader
	size    int64
	shown   string // the archive path as the user gave it
	cat     *catalog
	regular map[string]member
	last    string // name of the last member read, for error messages
}

// endReader is the archive as tar.Reader reads it. It remembers whether
// the last read found the end of the file with no byte left.
type endReader struct {
	*io.SectionReader
	atEnd bool
}

func (r *endReader) Read(p []byte) (int, error) {
	n, err := r.SectionReader.Read(p)
	r.atEnd = n == 0 && errors.Is(err, io.EOF)
	return n, err
}

// scan reads every header of the tar archive in r (size bytes), seeking past
// member content, and catalogs the layout members.
func scan(ctx context.Context, r io.ReaderAt, size int64, shown string) (*catalog, error) {
	if err := checkCompressed(r, shown); err != nil {
		return nil, err
	}
	s := &scanner{
		r: &endReader{SectionReader: io.NewSectionReader(r, 0, size)}, size: size, shown: shown,
		cat: &catalog{blobs: map[digest.Digest]member{},
			members: map[string]member{}, dups: map[string]bool{}},
		regular: map[string]member{},
	}
	tr := tar.NewReader(s.r) // an io.Seeker: tar skips content by seeking
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, archiveErr(err, nil, "scan %s: %v", shown, err)
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return s.cat, s.checkEnd(n)
		}
		if err != nil {
			return nil, s.headerErr(n, err)
		}
		if n >= maxMembers {
			return nil, archiveErr(cas.ErrInvalid, nil, "%s has more than %d members", shown, maxMembers)
		}
		off, err := s.r.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, archiveErr(err, nil, "seek %s: %v", shown, err)
		}
		if err := s.add(hdr, off); err != nil {
			return nil, err
		}
		s.last = hdr.Name
	}
}

// checkEnd makes sure the archive read so far (n members) ended with the
// end-of-archive marker, two zero blocks: tar readers take a file that stops
// right after a member, or after one zero block, as a complete archive, and
// such a file is truncated. archive/tar reports the end after reading the
// second zero block whole; in every other case its last read found the end
// of the file. (Looking for zeros before the end is not enough: a member's
// content, such as an uncompressed layer, may itself end with zero blocks.)
func (s *scanner) checkEnd(n int) error {
	if !s.r.atEnd {
		return nil
	}
	if n == 0 {
		return archiveErr(cas.ErrInvalid, nil, "%s is not a tar archive", s.shown)
	}
	return archiveErr(cas.ErrInvalid, nil, "%s is truncated (no end-of-archive marker after member %q)", s.shown, s.last)
}

// headerErr words a failure of tar.Reader.Next after n members.
func (s *scanner) headerErr(n int, err error) error {
	switch {
	case n == 0 && (errors.Is(err, tar.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF)):
		return archiveErr(cas.ErrInvalid, err, "%s is not a tar archive", s.shown)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return archiveErr(cas.ErrInvalid, err, "%s is truncated (after member %q)", s.shown, s.last)
	}
	return archiveErr(cas.ErrInvalid, err, "read %s: bad tar header after member %q: %v", s.shown, s.last, err)
}

// headerOnly reports whether members of type flag carry no content.
func headerOnly(flag byte) bool {
	switch flag {
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		return true
	}
	return false
}

// cleanName checks a member name (or hard link target) and cleans it.
func cleanName(name string) (string, error) {
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("absolute member name %q", name)
	}
	for el := range strings.SplitSeq(name, "/") {
		if el == ".." {
			return "", fmt.Errorf("member name %q contains \"..\"", name)
		}
	}
	return path.Clean(name), nil
}
