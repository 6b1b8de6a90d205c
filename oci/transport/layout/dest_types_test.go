package layout

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
)

// TestDestinationTypesAndCompression: oci: and oci-archive: store OCI
// manifests and indexes only (a Docker image is converted, as by skopeo)
// and gzip uncompressed layers unless AcceptUncompressedLayers says not to.
func TestDestinationTypesAndCompression(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"oci:" + filepath.Join(dir, "l") + ":t", "oci-archive:" + filepath.Join(dir, "a.tar") + ":t"} {
		for _, accept := range []bool{false, true} {
			dst, err := OpenDestination(context.Background(), ct.MustParse(t, name), transport.Options{AcceptUncompressedLayers: accept})
			if err != nil {
				t.Fatal(err)
			}
			if got := dst.ManifestTypes(); !slices.Equal(got[:2], []string{mediatype.Manifest, mediatype.Index}) {
				t.Errorf("%s: ManifestTypes() = %q", name, got)
			}
			want := transport.Compress
			if accept {
				want = transport.PreserveCompression
			}
			if got := dst.LayerCompression(); got != want {
				t.Errorf("%s (accept uncompressed %v): LayerCompression() = %v, want %v", name, accept, got, want)
			}
			if err := dst.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}
