package mediatype

import "testing"

func TestToOCI(t *testing.T) {
	tests := []struct{ in, want string }{
		{DockerManifest, Manifest},
		{DockerManifestList, Index},
		{DockerConfig, Config},
		{DockerLayer, Layer},
		{DockerLayerGzip, LayerGzip},
		{DockerLayerZstd, LayerZstd},
		{DockerForeignLayerGzip, LayerNonDistributableGzip},
		{DockerForeignLayerZstd, LayerNonDistributableZstd},
		// OCI and unknown types are returned unchanged.
		{Manifest, Manifest},
		{Index, Index},
		{LayerGzip, LayerGzip},
		{Layer + "+bzip2", Layer + "+bzip2"},
		{"application/octet-stream", "application/octet-stream"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := ToOCI(tc.in)
			if got != tc.want {
				t.Fatalf("ToOCI(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if IsDocker(got) {
				t.Errorf("ToOCI(%q) = %q is still a Docker type", tc.in, got)
			}
			// The class is kept: a manifest stays a manifest, a layer a
			// layer with the same compression and distributability.
			if IsManifest(got) != IsManifest(tc.in) || IsIndex(got) != IsIndex(tc.in) ||
				IsConfig(got) != IsConfig(tc.in) || IsNonDistributable(got) != IsNonDistributable(tc.in) {
				t.Errorf("ToOCI(%q) = %q changes the media type's class", tc.in, got)
			}
			s1, ok1 := LayerCompression(tc.in)
			s2, ok2 := LayerCompression(got)
			if s1 != s2 || ok1 != ok2 {
				t.Errorf("compression of %q is (%q,%v), of %q (%q,%v)", tc.in, s1, ok1, got, s2, ok2)
			}
		})
	}
}

// TestToOCICoversDocker fails when a Docker type is added to IsDocker
// without an OCI equivalent.
func TestToOCICoversDocker(t *testing.T) {
	for mt := range dockerLayers {
		if _, ok := ociEquivalents[mt]; !ok {
			t.Errorf("Docker layer type %q has no OCI equivalent", mt)
		}
	}
	for _, mt := range []string{DockerManifest, DockerManifestList, DockerConfig} {
		if _, ok := ociEquivalents[mt]; !ok {
			t.Errorf("Docker type %q has no OCI equivalent", mt)
		}
	}
}
