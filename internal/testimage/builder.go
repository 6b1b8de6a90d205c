package testimage

import (
	"runtime"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Layer is one layer of an image under construction.
type Layer struct {
	Entries     []Entry
	Compression Compression   // default Gzip
	History     ispec.History // CreatedBy defaults to "testimage layer N", Created to Epoch
}

// Builder assembles an image. Set its exported fields directly; the zero
// values of Created and the platform are filled in by Write (Epoch, and
// linux/runtime.GOARCH so the image runs on this machine).
type Builder struct {
	Config       ispec.ImageConfig
	Author       string
	Created      time.Time
	OS           string
	Architecture string
	Variant      string
	Annotations  map[string]string // manifest annotations
	Layers       []Layer
	// EmptyHistory is appended after the layer history as empty_layer
	// entries (like a config change).
	EmptyHistory []ispec.History
}

// New returns an empty Builder for a linux image of this machine's architecture.
func New() *Builder {
	return &Builder{OS: "linux", Architecture: runtime.GOARCH}
}

// AddLayer appends a layer of entries compressed with c.
func (b *Builder) AddLayer(c Compression, createdBy string, entries ...Entry) *Builder {
	b.Layers = append(b.Layers, Layer{
		Entries:     entries,
		Compression: c,
		History:     ispec.History{CreatedBy: createdBy},
	})
	return b
}

// Result describes an image written by Write.
type Result struct {
	Layout   string
	Tag      string
	Manifest ispec.Descriptor // as recorded in index.json, with the ref.name annotation
	Config   ispec.Descriptor
	Image    ispec.Image
	Layers   []ispec.Descriptor
	// TarBytes is the total size of the uncompressed layer tars.
	TarBytes int64
}
