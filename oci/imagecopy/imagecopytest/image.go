package imagecopytest

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/compress"
)

// ImageSpec describes a small test image.
type ImageSpec struct {
	// Docker makes a Docker v2s2 image (manifest, config and layer types).
	Docker bool
	// Platform goes into the config and the index entry; linux/amd64 when
	// empty.
	Platform ispec.Platform
	// Layers is the number of layers; 2 when 0, none when negative.
	Layers int
	// Compression of the layers: "gzip" (when empty), "zstd" or "none".
	Compression string
	// Annotations of the (OCI) manifest.
	Annotations map[string]string
	// Seed varies the layer content between images.
	Seed string
}

// Image is a test image stored in a Source.
type Image struct {
	// Manifest describes the manifest, with the platform set (as an
	// index entry has it).
	Manifest  ispec.Descriptor
	Raw       []byte
	Config    ispec.Descriptor
	ConfigRaw []byte
	Layers    []ispec.Descriptor
	// Tars are the uncompressed layers, DiffIDs their digests.
	Tars    [][]byte
	DiffIDs []digest.Digest
}

// AddImage builds an image, stores its blobs and manifest in s and
// returns it. The source's top is not changed.
func (s *Source) AddImage(spec ImageSpec) Image {
	if spec.Platform.OS == "" {
		spec.Platform = ispec.Platform{OS: "linux", Architecture: "amd64"}
	}
	n := spec.Layers
	if n == 0 {
		n = 2
	}
	comp := spec.Compression
	if comp == "" {
		comp = "gzip"
	}
	alg, err := compress.ByName(comp)
	if err != nil {
		panic(err)
	}
	var img Image
	for i := 0; i < n; i++ {
		tarball := makeTar(fmt.Sprintf("%s/%s/layer-%d", spec.Seed, FormatPlatform(spec.Platform), i))
		img.Tars = append(img.Tars, tarball)
		img.DiffIDs = append(img.DiffIDs, digest.FromBytes(tarball))
		var buf bytes.Buffer
		w, err := alg.Compress(&buf)
		if err != nil {
			panic(err)
		}
		_, _ = w.Write(tarball)
		if err := w.Close(); err != nil {
			panic(err)
		}
		suffix := alg.MediaTypeSuffix()
		mt := mediatype.LayerType(suffix)
		if spec.Docker {
			mt = map[string]string{"": mediatype.DockerLayer, "gzip": mediatype.DockerLayerGzip, "zstd": mediatype.DockerLayerZstd}[suffix]
		}
		img.Layers = append(img.Layers, s.Add(mt, buf.Bytes()))
	}
	config := ispec.Image{Platform: spec.Platform, RootFS: ispec.RootFS{Type: "layers", DiffIDs: img.DiffIDs}}
	config.Config.Cmd = []string{"/bin/sh"}
	cmt, mmt := mediatype.Config, mediatype.Manifest
	if spec.Docker {
		cmt, mmt = mediatype.DockerConfig, mediatype.DockerManifest
	}
	img.ConfigRaw, _ = json.Marshal(config)
	img.Config = s.Add(cmt, img.ConfigRaw)
	var m any
	if spec.Docker {
		m = DockerManifest(img.Config, img.Layers)
	} else {
		m = ispec.Manifest{Versioned: specsV2, MediaType: mmt, Config: img.Config, Layers: img.Layers, Annotations: spec.Annotations}
	}
	img.Raw, _ = json.Marshal(m)
	img.Manifest = s.Add(mmt, img.Raw)
	p := spec.Platform
	img.Manifest.Platform = &p
	return img
}

// AddIndex stores an OCI index (or, with docker, a Docker manifest list)
// of images and returns its descriptor and bytes.
func (s *Source) AddIndex(docker bool, images ...Image) (ispec.Descriptor, []byte) {
	entries := make([]ispec.Descriptor, len(images))
	for i, img := range images {
		entries[i] = img.Manifest
	}
	mt := mediatype.Index
	var v any = ispec.Index{Versioned: specsV2, MediaType: mt, Manifests: entries}
	if docker {
		mt = mediatype.DockerManifestList
		v = DockerList(entries)
	}
	raw, _ := json.Marshal(v)
	return s.Add(mt, raw), raw
}

// FormatPlatform is "os/arch[/variant]".
func FormatPlatform(p ispec.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// makeTar returns a tar stream with one regular file whose content is
// name.
func makeTar(name string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	content := bytes.Repeat([]byte(name+"\n"), 64)
	hdr := &tar.Header{Name: "file", Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		panic(err)
	}
	_, _ = tw.Write(content)
	if err := tw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
