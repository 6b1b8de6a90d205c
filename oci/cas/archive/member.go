package archive

import (
	"archive/tar"
	"fmt"
	"strings"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// add records the member of header hdr whose content starts at off.
func (s *scanner) add(hdr *tar.Header, off int64) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name, err := cleanName(hdr.Name)
	if err != nil {
		return archiveErr(cas.ErrInvalid, nil, "%s: %v", s.shown, err)
	}
	if !headerOnly(hdr.Typeflag) && !sparse(hdr) && hdr.Size > s.size-off {
		return archiveErr(cas.ErrInvalid, nil, "%s is truncated: member %q needs %d bytes at offset %d, the file has %d",
			s.shown, hdr.Name, hdr.Size, off, s.size)
	}
	m := member{name: name, offset: off, size: hdr.Size}
	switch {
	case sparse(hdr):
		m = member{name: name, bad: "is a sparse file"}
	case hdr.Typeflag == tar.TypeReg:
		s.regular[name] = m
	case hdr.Typeflag == tar.TypeLink:
		target, err := cleanName(hdr.Linkname)
		if err != nil {
			return archiveErr(cas.ErrInvalid, nil, "%s: hard link %q: %v", s.shown, hdr.Name, err)
		}
		t, ok := s.regular[target]
		m = member{name: name, offset: t.offset, size: t.size, hard: target}
		if !ok {
			m.bad = fmt.Sprintf("is a hard link to %q, which is not an earlier regular member", hdr.Linkname)
		}
	case hdr.Typeflag == tar.TypeDir:
		m = member{name: name, bad: "is a directory", dir: true}
	case hdr.Typeflag == tar.TypeSymlink:
		m = member{name: name, link: hdr.Linkname,
			bad: fmt.Sprintf("is a symbolic link to %q (links in archives are not followed)", hdr.Linkname)}
	default:
		m = member{name: name, bad: fmt.Sprintf("is not a regular file (tar type %q)", hdr.Typeflag)}
	}
	s.record(m)
	return s.catalog(m)
}

// catalog files m under its layout role; members with no role are ignored.
// A role filled twice makes the archive ambiguous.
func (s *scanner) catalog(m member) error {
	dup := func() error {
		return archiveErr(cas.ErrInvalid, nil, "%s: duplicate member %q", s.shown, m.name)
	}
	switch {
	case m.name == layoutFile:
		if s.cat.layout != nil {
			return dup()
		}
		s.cat.layout = &m
	case m.name == indexFile:
		if s.cat.index != nil {
			return dup()
		}
		s.cat.index = &m
	case strings.HasPrefix(m.name, blobPrefix):
		d := digest.NewDigestFromEncoded(cas.BlobAlgorithm, m.name[len(blobPrefix):])
		if cas.ValidateDigest(d) != nil {
			return nil // like a layout directory: names that are not digests are not blobs
		}
		if _, ok := s.cat.blobs[d]; ok {
			return dup()
		}
		s.cat.blobs[d] = m
	}
	return nil
}

// sparse reports whether hdr describes a GNU sparse file (old GNU format or
// PAX GNU.sparse.* records), whose content is not stored contiguously.
func sparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}
