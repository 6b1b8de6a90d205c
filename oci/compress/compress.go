package compress

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Algorithm is one layer compression scheme.
type Algorithm interface {
	// Name is the user-facing name: "none", "gzip" or "zstd".
	Name() string
	// MediaTypeSuffix is the layer media-type suffix without the "+":
	// "" for none, "gzip" or "zstd".
	MediaTypeSuffix() string
	// Compress returns a writer compressing into w. Closing it flushes the
	// stream but does not close w.
	Compress(w io.Writer) (io.WriteCloser, error)
	// Decompress returns a reader of the decompressed content of r.
	// Closing it releases its resources but does not close r.
	Decompress(r io.Reader) (io.ReadCloser, error)
}

var (
	// None stores layers uncompressed.
	None Algorithm = noneAlgorithm{}
	// Gzip is gzip (RFC 1952), compressed in parallel blocks.
	Gzip Algorithm = gzipAlgorithm{}
	// Zstd is Zstandard (RFC 8878).
	Zstd Algorithm = zstdAlgorithm{}
)

// ErrUnsupported is returned for algorithms, names or media types lade does
// not handle.
var ErrUnsupported = errors.New("unsupported compression")

var algorithms = []Algorithm{None, Gzip, Zstd}

// ByName returns the algorithm called name ("none", "gzip" or "zstd").
// "auto" is not a name here: callers resolve it.
func ByName(name string) (Algorithm, error) {
	for _, a := range algorithms {
		if a.Name() == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%w: unknown algorithm %q (want none, gzip or zstd)", ErrUnsupported, name)
}

// layerBases are the layer media types (without suffix) whose suffix names
// the compression.
var layerBases = []string{
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.nondistributable.v1.tar",
}

// dockerLayers are Docker's layer media types, which spell the compression
// with a "." rather than a "+" suffix.
var dockerLayers = map[string]Algorithm{
	"application/vnd.docker.image.rootfs.diff.tar":              None,
	"application/vnd.docker.image.rootfs.diff.tar.gzip":         Gzip,
	"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": Gzip,
	"application/vnd.docker.image.rootfs.diff.tar.zstd":         Zstd,
	"application/vnd.docker.image.rootfs.foreign.diff.tar.zstd": Zstd,
}

// ByMediaType returns the compression of a layer with media type mt: OCI
// layer types (distributable or not) with no suffix, "+gzip" or "+zstd", and
// Docker's rootfs diff types. Anything else is an error.
func ByMediaType(mt string) (Algorithm, error) {
	if a, ok := dockerLayers[mt]; ok {
		return a, nil
	}
	for _, base := range layerBases {
		if mt == base {
			return None, nil
		}
		suffix, ok := strings.CutPrefix(mt, base+"+")
		if !ok {
			continue
		}
		for _, a := range algorithms {
			if a.MediaTypeSuffix() != "" && a.MediaTypeSuffix() == suffix {
				return a, nil
			}
		}
		return nil, fmt.Errorf("%w: layer media type %q has unknown suffix %q", ErrUnsupported, mt, suffix)
	}
	return nil, fmt.Errorf("%w: %q is not a layer media type", ErrUnsupported, mt)
}
