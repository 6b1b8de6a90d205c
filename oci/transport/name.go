package transport

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lade-oci/lade/oci/casext"
)

// Kind is the name of a transport, as written before the first ':'.
type Kind string

// The transports lade implements.
const (
	Docker        Kind = "docker"
	OCI           Kind = "oci"
	OCIArchive    Kind = "oci-archive"
	DockerArchive Kind = "docker-archive"
	Dir           Kind = "dir"
)

// Kinds lists the transports in the order help texts name them.
var Kinds = []Kind{Docker, OCI, OCIArchive, DockerArchive, Dir}

// ErrInvalidName is wrapped by every error Parse returns.
var ErrInvalidName = errors.New("invalid image name")

// Name is a parsed image name. Which fields are set depends on Transport:
//
//   - Docker: Ref (always with a tag or a digest).
//   - OCI, OCIArchive: Path, and Tag (empty when the name has none: a source
//     then needs exactly one image in the index, a destination writes an
//     untagged entry).
//   - DockerArchive: Path, and Ref (NAME[:TAG], TAG "latest" when left out;
//     may be nil) or Index (>= 0 for ":@N", else -1).
//   - Dir: Path.
type Name struct {
	Transport Kind
	Path      string
	Tag       string
	Ref       *DockerReference
	Index     int
}

// Parse parses an image name "TRANSPORT:REFERENCE" (see the package doc).
// Every error wraps ErrInvalidName and names the input.
func Parse(s string) (Name, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Name{}, fmt.Errorf("%w %q: expected TRANSPORT:REFERENCE (transports: %s)", ErrInvalidName, s, kindList())
	}
	n := Name{Transport: Kind(kind), Index: -1}
	var err error
	switch n.Transport {
	case Docker:
		if !strings.HasPrefix(rest, "//") {
			return Name{}, fmt.Errorf("%w %q: docker: references must start with docker://", ErrInvalidName, s)
		}
		var ref DockerReference
		ref, err = ParseDockerReference(strings.TrimPrefix(rest, "//"))
		n.Ref = &ref
	case OCI, OCIArchive:
		n.Path, n.Tag, _ = strings.Cut(rest, ":")
		err = checkLayoutTag(n.Tag)
	case DockerArchive:
		var ref string
		n.Path, ref, _ = strings.Cut(rest, ":")
		err = n.parseArchiveRef(ref)
	case Dir:
		n.Path = rest
	default:
		return Name{}, fmt.Errorf("%w %q: unknown transport %q (transports: %s)", ErrInvalidName, s, kind, kindList())
	}
	if err == nil && n.Transport != Docker && n.Path == "" {
		err = errors.New("empty path")
	}
	if err != nil {
		return Name{}, fmt.Errorf("%w %q: %w", ErrInvalidName, s, err)
	}
	return n, nil
}

// parseArchiveRef parses the part of a docker-archive name after the path:
// nothing, "@N" or a docker reference with a tag and no digest.
func (n *Name) parseArchiveRef(ref string) error {
	if ref == "" {
		return nil
	}
	if idx, ok := strings.CutPrefix(ref, "@"); ok {
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 {
			return fmt.Errorf("invalid source index %q", idx)
		}
		n.Index = i
		return nil
	}
	// NAME without a tag means NAME:latest, as for docker:// names.
	r, err := parseDockerReference(ref, true)
	if err != nil {
		return err
	}
	if r.Digest != "" {
		return errors.New("docker-archive references cannot contain a digest")
	}
	n.Ref = &r
	return nil
}

// checkLayoutTag checks an oci: or oci-archive: tag against the OCI
// ref.name grammar (an empty tag is allowed).
func checkLayoutTag(tag string) error {
	if tag == "" || validRefName(tag) {
		return nil
	}
	return fmt.Errorf("invalid tag %q", tag)
}

// validRefName reports whether s is a valid layout tag (the grammar of
// org.opencontainers.image.ref.name that every lade command applies).
func validRefName(s string) bool {
	return casext.IsValidReferenceName(s)
}

// String returns the name as Parse accepts it, normalized
// ("docker://docker.io/library/busybox:latest").
func (n Name) String() string {
	switch n.Transport {
	case Docker:
		return "docker://" + n.Ref.String()
	case OCI, OCIArchive:
		if n.Tag == "" {
			return string(n.Transport) + ":" + n.Path
		}
		return string(n.Transport) + ":" + n.Path + ":" + n.Tag
	case DockerArchive:
		switch {
		case n.Ref != nil:
			return string(n.Transport) + ":" + n.Path + ":" + n.Ref.String()
		case n.Index >= 0:
			return string(n.Transport) + ":" + n.Path + ":@" + strconv.Itoa(n.Index)
		}
	}
	return string(n.Transport) + ":" + n.Path
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
