package mediatype

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		mt                             string
		index, manifest, config, layer bool
		docker                         bool
	}{
		{mt: Index, index: true},
		{mt: DockerManifestList, index: true, docker: true},
		{mt: Manifest, manifest: true},
		{mt: DockerManifest, manifest: true, docker: true},
		{mt: Config, config: true},
		{mt: DockerConfig, config: true, docker: true},
		{mt: Layer, layer: true},
		{mt: LayerGzip, layer: true},
		{mt: LayerNonDistributableZstd, layer: true},
		{mt: DockerLayerGzip, layer: true, docker: true},
		{mt: DockerForeignLayerGzip, layer: true, docker: true},
		{mt: Descriptor},
		{mt: EmptyJSON},
		{mt: ""},
		{mt: "application/vnd.oci.image.layer.v1.tar+"},
		{mt: "application/vnd.oci.image.layer.v1.tarball"},
		{mt: "application/octet-stream"},
	}
	for _, tc := range tests {
		t.Run(tc.mt, func(t *testing.T) {
			if got := IsIndex(tc.mt); got != tc.index {
				t.Errorf("IsIndex = %v, want %v", got, tc.index)
			}
			if got := IsManifest(tc.mt); got != tc.manifest {
				t.Errorf("IsManifest = %v, want %v", got, tc.manifest)
			}
			if got := IsConfig(tc.mt); got != tc.config {
				t.Errorf("IsConfig = %v, want %v", got, tc.config)
			}
			if got := IsLayer(tc.mt); got != tc.layer {
				t.Errorf("IsLayer = %v, want %v", got, tc.layer)
			}
			if got := IsDocker(tc.mt); got != tc.docker {
				t.Errorf("IsDocker = %v, want %v", got, tc.docker)
			}
		})
	}
}

func TestLayerCompression(t *testing.T) {
	tests := []struct {
		mt, suffix  string
		ok, nondist bool
	}{
		{mt: Layer, suffix: "", ok: true},
		{mt: LayerGzip, suffix: "gzip", ok: true},
		{mt: LayerZstd, suffix: "zstd", ok: true},
		{mt: Layer + "+bzip2", suffix: "bzip2", ok: true},
		{mt: LayerNonDistributable, suffix: "", ok: true, nondist: true},
		{mt: LayerNonDistributableGzip, suffix: "gzip", ok: true, nondist: true},
		{mt: LayerNonDistributableZstd, suffix: "zstd", ok: true, nondist: true},
		{mt: DockerLayer, suffix: "", ok: true},
		{mt: DockerLayerGzip, suffix: "gzip", ok: true},
		{mt: DockerLayerZstd, suffix: "zstd", ok: true},
		{mt: DockerForeignLayerGzip, suffix: "gzip", ok: true, nondist: true},
		{mt: Config, ok: false},
		{mt: Layer + "+", ok: false},
		{mt: "application/vnd.oci.image.layer.v1.targzip", ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.mt, func(t *testing.T) {
			suffix, ok := LayerCompression(tc.mt)
			if suffix != tc.suffix || ok != tc.ok {
				t.Errorf("LayerCompression = (%q, %v), want (%q, %v)", suffix, ok, tc.suffix, tc.ok)
			}
			if got := IsNonDistributable(tc.mt); got != tc.nondist {
				t.Errorf("IsNonDistributable = %v, want %v", got, tc.nondist)
			}
		})
	}
}

func TestLayerType(t *testing.T) {
	for suffix, want := range map[string]string{"": Layer, "gzip": LayerGzip, "zstd": LayerZstd} {
		if got := LayerType(suffix); got != want {
			t.Errorf("LayerType(%q) = %q, want %q", suffix, got, want)
		}
		if got, ok := LayerCompression(LayerType(suffix)); !ok || got != suffix {
			t.Errorf("LayerCompression(LayerType(%q)) = (%q, %v)", suffix, got, ok)
		}
	}
}
