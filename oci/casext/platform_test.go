package casext

import (
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// putPlatformImage stores an image whose config names the platform p and
// returns its manifest descriptor (without a platform field).
func putPlatformImage(t *testing.T, e Engine, p ispec.Platform) ispec.Descriptor {
	t.Helper()
	cfg := putJSON(t, e, ispec.MediaTypeImageConfig, ispec.Image{
		Platform: p,
		RootFS:   ispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{}},
	})
	return putJSON(t, e, ispec.MediaTypeImageManifest, ispec.Manifest{
		Versioned: specsVersioned(),
		MediaType: ispec.MediaTypeImageManifest,
		Config:    cfg,
		Layers:    []ispec.Descriptor{},
	})
}

// withPlatform returns d with its platform field set to p.
func withPlatform(d ispec.Descriptor, p ispec.Platform) ispec.Descriptor {
	d.Platform = &p
	return d
}

func TestParsePlatform(t *testing.T) {
	tests := []struct {
		in   string
		want ispec.Platform
		bad  bool
	}{
		{in: "linux/amd64", want: ispec.Platform{OS: "linux", Architecture: "amd64"}},
		{in: "linux/arm64/v8", want: ispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{in: "windows/amd64", want: ispec.Platform{OS: "windows", Architecture: "amd64"}},
		{in: "", bad: true},
		{in: "linux", bad: true},
		{in: "linux/", bad: true},
		{in: "/amd64", bad: true},
		{in: "linux/arm/v7/extra", bad: true},
		{in: "linux/arm/", bad: true},
		{in: "linux/ amd64", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePlatform(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParsePlatform(%q) = %+v, want an error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.OS != tc.want.OS || got.Architecture != tc.want.Architecture || got.Variant != tc.want.Variant {
				t.Errorf("ParsePlatform(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			if s := FormatPlatform(&got); s != tc.in {
				t.Errorf("FormatPlatform = %q, want %q", s, tc.in)
			}
		})
	}
	if s := FormatPlatform(nil); s != "unknown" {
		t.Errorf("FormatPlatform(nil) = %q", s)
	}
}

func TestMatchPlatform(t *testing.T) {
	p := func(os, arch, variant string) *ispec.Platform {
		return &ispec.Platform{OS: os, Architecture: arch, Variant: variant}
	}
	tests := []struct {
		name       string
		want, have *ispec.Platform
		match      bool
	}{
		{"same", p("linux", "amd64", ""), p("linux", "amd64", ""), true},
		{"other arch", p("linux", "amd64", ""), p("linux", "arm64", ""), false},
		{"other os", p("linux", "amd64", ""), p("windows", "amd64", ""), false},
		{"any variant", p("linux", "arm", ""), p("linux", "arm", "v6"), true},
		{"variant differs", p("linux", "arm", "v7"), p("linux", "arm", "v6"), false},
		{"arm64 default v8", p("linux", "arm64", "v8"), p("linux", "arm64", ""), true},
		{"arm default v7", p("linux", "arm", "v7"), p("linux", "arm", ""), true},
		{"arm not v6 by default", p("linux", "arm", "v6"), p("linux", "arm", ""), false},
		{"unknown never matches", p("linux", "amd64", ""), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MatchPlatform(*tc.want, tc.have); got != tc.match {
				t.Errorf("MatchPlatform(%+v, %+v) = %v, want %v", tc.want, tc.have, got, tc.match)
			}
		})
	}
}

func TestPathPlatform(t *testing.T) {
	e := newTestEngine(t)
	ctx := t.Context()
	arm := ispec.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}
	m := putPlatformImage(t, e, arm)

	got, err := e.PathPlatform(ctx, DescriptorPath{Walk: []ispec.Descriptor{m}})
	if err != nil || FormatPlatform(got) != "linux/arm/v6" {
		t.Errorf("from config: %s, %v", FormatPlatform(got), err)
	}
	// The descriptor's platform wins over the config's.
	desc := withPlatform(m, ispec.Platform{OS: "linux", Architecture: "riscv64"})
	got, err = e.PathPlatform(ctx, DescriptorPath{Walk: []ispec.Descriptor{desc}})
	if err != nil || FormatPlatform(got) != "linux/riscv64" {
		t.Errorf("from descriptor: %s, %v", FormatPlatform(got), err)
	}
	// Not a manifest: no platform, no error.
	blob := putRaw(t, e, "application/x-unknown", []byte("opaque"))
	got, err = e.PathPlatform(ctx, DescriptorPath{Walk: []ispec.Descriptor{blob}})
	if err != nil || got != nil {
		t.Errorf("unknown blob: %v, %v", got, err)
	}
	// A manifest that is gone is an error naming it.
	gone := ispec.Descriptor{MediaType: ispec.MediaTypeImageManifest, Digest: digest.FromString("gone"), Size: 4}
	if _, err := e.PathPlatform(ctx, DescriptorPath{Walk: []ispec.Descriptor{gone}}); err == nil {
		t.Error("missing manifest: no error")
	}
}
