package imagecopy_test

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/imagecopy"
	"github.com/lade-oci/lade/oci/imagecopy/imagecopytest"
	"github.com/lade-oci/lade/oci/transport"
)

func TestCopyImageUnchanged(t *testing.T) {
	for _, docker := range []bool{false, true} {
		src, img := source(t, imagecopytest.ImageSpec{Docker: docker, Layers: 3})
		dst := imagecopytest.NewDestination("")
		res := copyOK(t, src, dst, imagecopy.Options{})
		if res.Descriptor.Digest != img.Manifest.Digest || !bytes.Equal(res.Manifest, img.Raw) {
			t.Errorf("docker=%v: manifest changed: %s", docker, res.Manifest)
		}
		if res.Descriptor.MediaType != img.Manifest.MediaType || res.Descriptor.Platform != nil {
			t.Errorf("committed descriptor %+v", res.Descriptor)
		}
		for _, d := range append(img.Layers, img.Config) {
			if _, ok := dst.Blob(d.Digest); !ok {
				t.Errorf("blob %s not copied", d.Digest)
			}
		}
		want := imagecopy.Stats{Copied: 4, Bytes: img.Config.Size, Manifests: 1}
		for _, l := range img.Layers {
			want.Bytes += l.Size
		}
		if res.Stats != want {
			t.Errorf("stats %+v, want %+v", res.Stats, want)
		}
	}
}

// A single manifest is copied whatever its platform (as skopeo does).
func TestCopySingleManifestOfOtherPlatform(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{Platform: ispec.Platform{OS: "linux", Architecture: "s390x"}})
	dst := imagecopytest.NewDestination("")
	res := copyOK(t, src, dst, imagecopy.Options{Platform: ispec.Platform{Architecture: "arm64"}})
	if res.Descriptor.Digest != img.Manifest.Digest {
		t.Errorf("copied %s, want %s", res.Descriptor.Digest, img.Manifest.Digest)
	}
}

// multiArch returns a source whose top is an index of linux/amd64,
// linux/arm64/v8 and linux/arm/v7 images.
func multiArch(t *testing.T, docker bool) (*imagecopytest.Source, []imagecopytest.Image, ispec.Descriptor, []byte) {
	t.Helper()
	src := imagecopytest.NewSource("")
	var images []imagecopytest.Image
	for _, p := range []ispec.Platform{
		{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "arm64", Variant: "v8"},
		{OS: "linux", Architecture: "arm", Variant: "v7"},
	} {
		images = append(images, src.AddImage(imagecopytest.ImageSpec{Docker: docker, Platform: p}))
	}
	top, raw := src.AddIndex(docker, images...)
	src.SetTop(top)
	return src, images, top, raw
}

func TestCopyChoosesPlatform(t *testing.T) {
	tests := []struct {
		choice ispec.Platform
		want   int
	}{
		{ispec.Platform{Architecture: "arm64"}, 1},
		{ispec.Platform{Architecture: "arm"}, 2},
		{ispec.Platform{Architecture: "arm", Variant: "v8"}, 2},
		{ispec.Platform{OS: "linux", Architecture: "amd64"}, 0},
	}
	for _, tc := range tests {
		src, images, _, _ := multiArch(t, false)
		dst := imagecopytest.NewDestination("")
		res := copyOK(t, src, dst, imagecopy.Options{Platform: tc.choice})
		want := images[tc.want]
		if res.Descriptor.Digest != want.Manifest.Digest || !bytes.Equal(res.Manifest, want.Raw) {
			t.Errorf("%+v: committed %s, want %s", tc.choice, res.Descriptor.Digest, want.Manifest.Digest)
		}
		for i, img := range images {
			_, ok := dst.Blob(img.Config.Digest)
			if ok != (i == tc.want) || (i != tc.want && src.Fetches(img.Config.Digest) != 0) {
				t.Errorf("%+v: config of image %d copied=%v fetched %d times", tc.choice, i, ok, src.Fetches(img.Config.Digest))
			}
		}
		if n := len(dst.Manifests()); n != 1 {
			t.Errorf("%d manifests written, want the chosen one only", n)
		}
	}
}

func TestCopyHostPlatform(t *testing.T) {
	src := imagecopytest.NewSource("")
	other := src.AddImage(imagecopytest.ImageSpec{Platform: ispec.Platform{OS: "linux", Architecture: "riscv64-not-this-host"}})
	host := src.AddImage(imagecopytest.ImageSpec{Platform: ispec.Platform{OS: runtime.GOOS, Architecture: runtime.GOARCH}})
	top, _ := src.AddIndex(false, other, host)
	src.SetTop(top)
	res := copyOK(t, src, imagecopytest.NewDestination(""), imagecopy.Options{})
	if res.Descriptor.Digest != host.Manifest.Digest {
		t.Errorf("copied %s, want the host's image %s", res.Descriptor.Digest, host.Manifest.Digest)
	}
}

func TestCopyNoMatchingPlatform(t *testing.T) {
	src, _, _, _ := multiArch(t, true)
	dst := imagecopytest.NewDestination("")
	_, err := copyImage(t, src, dst, imagecopy.Options{Platform: ispec.Platform{Architecture: "ppc64le"}})
	if !errors.Is(err, casext.ErrPlatformNotFound) {
		t.Fatalf("err = %v, want ErrPlatformNotFound", err)
	}
	if !strings.Contains(err.Error(), "linux/amd64, linux/arm64/v8, linux/arm/v7") {
		t.Errorf("error does not list the platforms: %v", err)
	}
	notCommitted(t, dst)
}

func TestCopyAll(t *testing.T) {
	for _, docker := range []bool{false, true} {
		src, images, top, raw := multiArch(t, docker)
		dst := imagecopytest.NewDestination("")
		res := copyOK(t, src, dst, imagecopy.Options{MultiArch: imagecopy.MultiArchAll})
		if res.Descriptor.Digest != top.Digest || !bytes.Equal(res.Manifest, raw) {
			t.Errorf("docker=%v: index changed: %s", docker, res.Manifest)
		}
		manifests := dst.Manifests()
		for _, img := range images {
			if got := manifests[img.Manifest.Digest]; !bytes.Equal(got, img.Raw) {
				t.Errorf("image %s not written as it was", img.Manifest.Digest)
			}
			for _, d := range append(img.Layers, img.Config) {
				if _, ok := dst.Blob(d.Digest); !ok {
					t.Errorf("blob %s not copied", d.Digest)
				}
			}
		}
		if res.Stats.Copied != 9 || res.Stats.Manifests != 4 {
			t.Errorf("stats %+v", res.Stats)
		}
	}
}

// A layer shared by the images of an index moves once.
func TestCopyAllSharedLayer(t *testing.T) {
	src := imagecopytest.NewSource("")
	a := src.AddImage(imagecopytest.ImageSpec{Layers: 1})
	// b has its own config but a's layer.
	cfg := ispec.Image{Platform: ispec.Platform{OS: "linux", Architecture: "arm64"}, RootFS: ispec.RootFS{Type: "layers", DiffIDs: a.DiffIDs}}
	bConfig := src.AddJSON(mediatype.Config, cfg)
	b := src.AddJSON(mediatype.Manifest, ispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediatype.Manifest,
		Config: bConfig, Layers: a.Layers})
	b.Platform = &cfg.Platform
	top := src.AddJSON(mediatype.Index, ispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediatype.Index,
		Manifests: []ispec.Descriptor{a.Manifest, b}})
	src.SetTop(top)
	dst := imagecopytest.NewDestination("")
	res := copyOK(t, src, dst, imagecopy.Options{MultiArch: imagecopy.MultiArchAll})
	if res.Stats.Copied != 3 || src.Fetches(a.Layers[0].Digest) != 1 {
		t.Errorf("shared layer: stats %+v, layer fetched %d times", res.Stats, src.Fetches(a.Layers[0].Digest))
	}
	if _, ok := dst.Manifests()[b.Digest]; !ok {
		t.Error("second image not written")
	}
}

func TestCopyIndexOnly(t *testing.T) {
	src, images, top, raw := multiArch(t, false)
	dst := imagecopytest.NewDestination("")
	dst.Seed(images[0].Manifest, images[0].Raw)
	_, err := copyImage(t, src, dst, imagecopy.Options{MultiArch: imagecopy.MultiArchIndexOnly})
	if err == nil || !strings.Contains(err.Error(), images[1].Manifest.Digest.String()) || !strings.Contains(err.Error(), "linux/arm64/v8") {
		t.Fatalf("index-only with missing images: %v", err)
	}
	notCommitted(t, dst)

	for _, img := range images[1:] {
		dst.Seed(img.Manifest, img.Raw)
	}
	res := copyOK(t, src, dst, imagecopy.Options{MultiArch: imagecopy.MultiArchIndexOnly})
	if res.Descriptor.Digest != top.Digest || !bytes.Equal(res.Manifest, raw) {
		t.Errorf("index-only committed %s", res.Descriptor.Digest)
	}
	if n := src.TotalFetches(); n != 2 {
		t.Errorf("index-only fetched %d times, want the index twice (two copies)", n)
	}
	if _, puts, _ := dst.Counts(); puts != 0 {
		t.Errorf("index-only wrote %d blobs", puts)
	}
}

func TestSchema1Refused(t *testing.T) {
	src := imagecopytest.NewSource("")
	top := src.Add("application/vnd.docker.distribution.manifest.v1+prettyjws", []byte(`{"schemaVersion":1,"name":"x"}`))
	src.SetTop(top)
	_, err := copyImage(t, src, imagecopytest.NewDestination(""), imagecopy.Options{})
	if !errors.Is(err, transport.ErrUnsupported) || !strings.Contains(err.Error(), "schema 1") {
		t.Errorf("schema 1: %v", err)
	}
	// Also when the descriptor does not say so.
	top = src.Add("", []byte(`{"schemaVersion":1,"name":"x","fsLayers":[]}`))
	src.SetTop(top)
	if _, err := copyImage(t, src, imagecopytest.NewDestination(""), imagecopy.Options{}); !errors.Is(err, transport.ErrUnsupported) {
		t.Errorf("untyped schema 1: %v", err)
	}
}

// A document whose mediaType field disagrees with its descriptor is
// refused (CVE-2021-41190).
func TestMediaTypeMismatchRefused(t *testing.T) {
	src, img := source(t, imagecopytest.ImageSpec{})
	top := src.Add("application/vnd.oci.image.index.v1+json", img.Raw)
	src.SetTop(top)
	dst := imagecopytest.NewDestination("")
	if _, err := copyImage(t, src, dst, imagecopy.Options{}); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("mismatched media type: %v", err)
	}
	notCommitted(t, dst)
}

func TestParseOptions(t *testing.T) {
	if f, err := imagecopy.ParseFormat("oci"); err != nil || f != imagecopy.FormatOCI {
		t.Errorf("oci: %v %v", f, err)
	}
	if f, err := imagecopy.ParseFormat("v2s2"); err != nil || f != imagecopy.FormatV2S2 {
		t.Errorf("v2s2: %v %v", f, err)
	}
	if _, err := imagecopy.ParseFormat("v2s1"); !errors.Is(err, transport.ErrUnsupported) || !strings.Contains(err.Error(), "schema 1") {
		t.Errorf("v2s1: %v", err)
	}
	if _, err := imagecopy.ParseFormat("docker"); err == nil {
		t.Error("unknown format accepted")
	}
	for s, want := range map[string]imagecopy.MultiArch{"system": imagecopy.MultiArchSystem, "all": imagecopy.MultiArchAll, "index-only": imagecopy.MultiArchIndexOnly} {
		if got, err := imagecopy.ParseMultiArch(s); err != nil || got != want {
			t.Errorf("ParseMultiArch(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := imagecopy.ParseMultiArch("some"); err == nil {
		t.Error("unknown multi-arch mode accepted")
	}
}

// index-only converts the index, never its images.
func TestCopyIndexOnlyFormat(t *testing.T) {
	src := imagecopytest.NewSource("")
	a := src.AddImage(imagecopytest.ImageSpec{Docker: true})
	b := src.AddImage(imagecopytest.ImageSpec{Docker: true, Platform: ispec.Platform{OS: "linux", Architecture: "arm64"}})
	top, _ := src.AddIndex(false, a, b) // an OCI index of v2s2 images
	src.SetTop(top)
	dst := imagecopytest.NewDestination("")
	dst.Seed(a.Manifest, a.Raw)
	dst.Seed(b.Manifest, b.Raw)
	res := copyOK(t, src, dst, imagecopy.Options{MultiArch: imagecopy.MultiArchIndexOnly, Format: imagecopy.FormatV2S2})
	if res.Descriptor.MediaType != mediatype.DockerManifestList {
		t.Errorf("index written as %s", res.Descriptor.MediaType)
	}
	if idx := decodeIndex(t, res.Manifest); idx.Manifests[0].Digest != a.Manifest.Digest || idx.Manifests[1].Digest != b.Manifest.Digest {
		t.Errorf("images changed: %s", res.Manifest)
	}

	isrc, images, _, _ := multiArch(t, false)
	for _, tc := range []struct {
		types  []string
		format imagecopy.Format
	}{
		{nil, imagecopy.FormatV2S2},
		{[]string{mediatype.DockerManifestList, mediatype.DockerManifest}, imagecopy.FormatSource},
	} {
		dst := imagecopytest.NewDestination("")
		dst.Types = tc.types
		for _, img := range images {
			dst.Seed(img.Manifest, img.Raw)
		}
		_, err := copyImage(t, isrc, dst, imagecopy.Options{MultiArch: imagecopy.MultiArchIndexOnly, Format: tc.format})
		if !errors.Is(err, transport.ErrUnsupported) || !strings.Contains(err.Error(), "cannot convert the images") {
			t.Errorf("%v %q: err = %v", tc.types, tc.format, err)
		}
		notCommitted(t, dst)
	}
}

func TestNestedIndexRefused(t *testing.T) {
	src := imagecopytest.NewSource("")
	img := src.AddImage(imagecopytest.ImageSpec{Platform: ispec.Platform{OS: "linux", Architecture: "arm64"}})
	inner, _ := src.AddIndex(false, img)
	inner.Platform = &ispec.Platform{OS: "linux", Architecture: "arm64"}
	top := src.AddJSON(mediatype.Index, ispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediatype.Index,
		Manifests: []ispec.Descriptor{inner}})
	src.SetTop(top)
	for _, mode := range []imagecopy.MultiArch{imagecopy.MultiArchSystem, imagecopy.MultiArchAll} {
		dst := imagecopytest.NewDestination("")
		_, err := copyImage(t, src, dst, imagecopy.Options{MultiArch: mode, Platform: ispec.Platform{Architecture: "arm64"}})
		if !errors.Is(err, transport.ErrUnsupported) || !strings.Contains(err.Error(), "nested index") {
			t.Errorf("mode %d: err = %v", mode, err)
		}
		notCommitted(t, dst)
	}
}
