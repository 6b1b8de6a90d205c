package imagecopy

import (
	"fmt"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/oci/compress"
	"github.com/lade-oci/lade/oci/transport"
)

// Format is the manifest format written to the destination (--format).
type Format string

// The formats. FormatSource keeps the source's format when the destination
// takes it, and otherwise uses the first one the destination takes.
const (
	FormatSource Format = ""
	FormatOCI    Format = "oci"
	FormatV2S2   Format = "v2s2"
)

// ParseFormat returns the format named s ("oci" or "v2s2"). Docker schema 1
// ("v2s1") is refused with an error matching transport.ErrUnsupported.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "oci":
		return FormatOCI, nil
	case "v2s2":
		return FormatV2S2, nil
	case "v2s1":
		return "", fmt.Errorf("parse format %q: Docker schema 1 manifests are %w by lade", s, transport.ErrUnsupported)
	}
	return "", fmt.Errorf("parse format %q: want oci or v2s2", s)
}

// MultiArch is what is copied from an index (--multi-arch).
type MultiArch int

const (
	// MultiArchSystem copies the image of Options.Platform only; it
	// becomes the destination's top manifest.
	MultiArchSystem MultiArch = iota
	// MultiArchAll copies every image of the index and the index (--all).
	MultiArchAll
	// MultiArchIndexOnly copies the index alone: every image it lists
	// must already be at the destination.
	MultiArchIndexOnly
)

// ParseMultiArch returns the mode named s: "system", "all" or "index-only".
func ParseMultiArch(s string) (MultiArch, error) {
	switch s {
	case "system":
		return MultiArchSystem, nil
	case "all":
		return MultiArchAll, nil
	case "index-only":
		return MultiArchIndexOnly, nil
	}
	return 0, fmt.Errorf("parse multi-arch mode %q: want system, all or index-only", s)
}

// DefaultParallel is how many blobs move at once unless Options.Parallel
// says otherwise (skopeo's default).
const DefaultParallel = 6

// DefaultRetryDelay is the wait before the first retry of a blob; it
// doubles with every further retry, up to transport.MaxRetryDelay.
const DefaultRetryDelay = transport.DefaultRetryDelay

// Options control a copy. The zero value copies the host platform's image
// in its own format, with the destination's layer compression, six blobs
// at a time and no retries.
type Options struct {
	// Platform picks the image out of an index (MultiArchSystem). Each
	// empty field is the host's: runtime.GOOS, runtime.GOARCH and, only
	// when the architecture is the host's, the host's ARM variant
	// (--override-os, --override-arch, --override-variant).
	Platform ispec.Platform
	// MultiArch says what to copy from an index (--all, --multi-arch).
	MultiArch MultiArch
	// Format is the manifest format to write (--format).
	Format Format
	// Compression, when set, is the layer compression wanted at a
	// destination that compresses layers (--dest-compress-format, with
	// --dest-compress-level through compress.WithLevel): uncompressed
	// layers are compressed with it and layers compressed otherwise are
	// recompressed. Nil means gzip for uncompressed layers and compressed
	// layers kept as they are.
	Compression compress.Algorithm
	// LayerCompression, when set, replaces the choice of a destination
	// that keeps layers as they come (dir:): --dest-compress sets
	// transport.Compress, --dest-decompress transport.Decompress. Other
	// destinations ignore it, as skopeo does.
	LayerCompression *transport.LayerCompression
	// PreserveDigests makes any change of the image's digest an error,
	// raised before anything is written. Changes the destination merely
	// prefers (compressing uncompressed layers, decompressing for
	// docker-archive:) are not made; a format or compression asked for
	// explicitly that would change the digest is an error.
	PreserveDigests bool
	// Parallel bounds how many blobs move at once; 0 means DefaultParallel.
	Parallel int
	// RetryTimes is how often a blob whose transfer failed transiently is
	// tried again (--retry-times); 0 tries everything once. Give the
	// transports the same value (transport.Options.RetryTimes): a
	// registry retries its requests itself, and what it already retried
	// is not retried here again.
	RetryTimes int
	// RetryDelay is the wait before the first retry; 0 means
	// DefaultRetryDelay.
	RetryDelay time.Duration
	// TempDir holds the temporary files of recompressed layers; empty
	// means os.TempDir().
	TempDir string
	// Progress, when set, is told about every blob.
	Progress progress.Reporter
}

// Result is what a successful copy wrote.
type Result struct {
	// Descriptor is the top manifest or index the destination's name now
	// points at; its digest is what --digestfile records.
	Descriptor ispec.Descriptor
	// Manifest are its bytes.
	Manifest []byte
	// Stats count what was moved.
	Stats Stats
}

// Stats count the blobs (configs and layers) of a copy.
type Stats struct {
	// Copied blobs were written to the destination, Skipped ones were
	// already there, Mounted ones were mounted from another repository.
	Copied, Skipped, Mounted int
	// Bytes is the size of the copied blobs, as written.
	Bytes int64
	// Manifests counts the manifests and indexes written, the top one
	// included.
	Manifests int
}
