package mutate

import (
	"context"
	"io"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
	"github.com/lade-oci/lade/oci/validate"
)

// validateLayout runs validate.Layout, then checks every image reachable from index.json: each blob
// verifies against its descriptor, and each manifest's layers decompress to
// streams whose sha256 are the config's diff_ids, in order.
func validateLayout(t *testing.T, e casext.Engine) {
	t.Helper()
	ctx := t.Context()
	if err := validate.Layout(ctx, e); err != nil {
		t.Errorf("validate layout: %v", err)
	}
	index, err := e.GetIndex(ctx)
	if err != nil {
		t.Fatalf("GetIndex: %v", err)
	}
	for _, root := range index.Manifests {
		err := e.Walk(ctx, root, func(ctx context.Context, p casext.DescriptorPath) error {
			rc, err := e.GetVerifiedBlob(ctx, p.Descriptor())
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				return err
			}
			if p.Descriptor().MediaType == ispec.MediaTypeImageManifest {
				checkDiffIDs(t, e, p.Descriptor())
			}
			return nil
		})
		if err != nil {
			t.Errorf("walk %s: %v", root.Digest, err)
		}
	}
}

func checkDiffIDs(t *testing.T, e casext.Engine, desc ispec.Descriptor) {
	t.Helper()
	var manifest ispec.Manifest
	readJSON(t, e, desc, &manifest)
	var config ispec.Image
	readJSON(t, e, manifest.Config, &config)
	if len(manifest.Layers) != len(config.RootFS.DiffIDs) {
		t.Errorf("manifest %s: %d layers, %d diff_ids", desc.Digest, len(manifest.Layers), len(config.RootFS.DiffIDs))
		return
	}
	for i, l := range manifest.Layers {
		alg, err := compress.ByMediaType(l.MediaType)
		if err != nil {
			t.Errorf("layer %s: %v", l.Digest, err)
			continue
		}
		rc, err := alg.Decompress(bytesReader(readBlob(t, e, l)))
		if err != nil {
			t.Errorf("layer %s: %v", l.Digest, err)
			continue
		}
		raw, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Errorf("layer %s: %v", l.Digest, err)
			continue
		}
		if got := digestOf(raw); got != config.RootFS.DiffIDs[i] {
			t.Errorf("layer %d: diff_id %s, content hashes to %s", i, config.RootFS.DiffIDs[i], got)
		}
	}
}
