package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/opencontainers/go-digest"
)

// maxLinkHops caps how many symbolic links resolve follows for one name.
const maxLinkHops = 8

// record remembers m by name for legacy archives, which name their members
// in manifest.json; a name seen twice is remembered as a duplicate.
func (s *scanner) record(m member) {
	if _, ok := s.cat.members[m.name]; ok {
		s.cat.dups[m.name] = true
	}
	s.cat.members[m.name] = m
}

// resolve finds the readable member that name (from manifest.json) stands
// for. Symbolic link members are resolved inside the archive, never through
// the file system: Docker before 25 stores a layer that appears twice as
// "<id>/layer.tar -> ../<other-id>/layer.tar". A target may not be
// absolute or lead outside the archive's top directory.
func (l *legacyReader) resolve(name string) (member, error) {
	clean, err := cleanName(name)
	if err != nil {
		return member{}, err
	}
	for hops := 0; ; hops++ {
		if l.e.cat.dups[clean] {
			return member{}, fmt.Errorf("duplicate member %q", clean)
		}
		m, ok := l.e.cat.members[clean]
		if !ok {
			return member{}, fmt.Errorf("member %q is missing", clean)
		}
		if m.link == "" {
			if m.bad != "" {
				return member{}, fmt.Errorf("member %q %s", m.name, m.bad)
			}
			return m, nil
		}
		if hops == maxLinkHops {
			return member{}, fmt.Errorf("member %q: more than %d symbolic links", name, maxLinkHops)
		}
		if strings.HasPrefix(m.link, "/") {
			return member{}, fmt.Errorf("member %q is a symbolic link to the absolute path %q", m.name, m.link)
		}
		next := path.Join(path.Dir(clean), m.link)
		if next == ".." || strings.HasPrefix(next, "../") {
			return member{}, fmt.Errorf("member %q is a symbolic link to %q, outside the archive", m.name, m.link)
		}
		clean = next
	}
}

// span is where some content lives in the archive: members resolving to
// the same span (links, shared layers) are hashed once.
type span struct{ offset, size int64 }

// hashedMember is the digest of a member's content and the compression its
// first bytes announce ("" for none).
type hashedMember struct {
	digest      digest.Digest
	compression string
}

// hash streams m's content once through sha256 (later calls for the same
// content are free) and looks at its magic number.
func (l *legacyReader) hash(m member) (hashedMember, error) {
	key := span{m.offset, m.size}
	if h, ok := l.hashed[key]; ok {
		return h, nil
	}
	var h hashedMember
	head := make([]byte, min(4, m.size))
	if n, err := l.e.r.ReadAt(head, m.offset); n < len(head) {
		return hashedMember{}, fmt.Errorf("read %s: %w", m.name, err)
	}
	for _, c := range compressions {
		if (c.name == "gzip" || c.name == "zstd") && bytes.HasPrefix(head, c.magic) {
			h.compression = c.name
		}
	}
	sum := sha256.New()
	buf := make([]byte, 1<<20)
	r := &ctxReader{ctx: l.ctx, r: io.NewSectionReader(l.e.r, m.offset, m.size)}
	got, err := io.CopyBuffer(sum, r, buf)
	if err != nil {
		return hashedMember{}, fmt.Errorf("hash %s: %w", m.name, err)
	}
	if got != m.size {
		return hashedMember{}, fmt.Errorf("hash %s: read %d of %d bytes: %w", m.name, got, m.size, io.ErrUnexpectedEOF)
	}
	h.digest = digest.NewDigest(digest.SHA256, sum)
	l.hashed[key] = h
	return h, nil
}

// ctxReader stops reading once ctx is done, so that hashing a large archive
// can be interrupted.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
