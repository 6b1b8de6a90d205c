package bundle

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/mtreeutil"
	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/mutate"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
)

func TestSquash(t *testing.T) {
	created := time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)
	tests := []struct {
		name    string
		alg     compress.Algorithm
		history *ispec.History
		mt      string
	}{
		{"gzip with history", nil, &ispec.History{CreatedBy: "lade squash", Created: &created, EmptyLayer: true}, ispec.MediaTypeImageLayerGzip},
		{"zstd without history", compress.Zstd, nil, ispec.MediaTypeImageLayerZstd},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			engine, path := flatImage(t)
			before := imageOf(t, engine, path)
			tmp := t.TempDir()
			mo := layer.MapOptions{Rootless: os.Geteuid() != 0}
			newPath, err := Squash(ctx, engine, path, SquashOptions{MapOptions: mo, Compression: tc.alg, History: tc.history, TempDir: tmp, SourceDateEpoch: &treeSDE})
			if err != nil {
				t.Fatalf("Squash: %v", err)
			}
			assertEmptyDir(t, tmp)
			after := imageOf(t, engine, newPath)
			manifest, config := after.manifest, after.config
			if len(manifest.Layers) != 1 || manifest.Layers[0].MediaType != tc.mt {
				t.Fatalf("layers = %+v, want one %s layer", manifest.Layers, tc.mt)
			}
			if len(config.RootFS.DiffIDs) != 1 {
				t.Errorf("diff_ids = %v, want one", config.RootFS.DiffIDs)
			}
			switch {
			case tc.history == nil && len(config.History) != 0:
				t.Errorf("history = %+v, want none", config.History)
			case tc.history != nil && (len(config.History) != 1 || config.History[0].CreatedBy != "lade squash" ||
				config.History[0].EmptyLayer || !config.History[0].Created.Equal(created)):
				t.Errorf("history = %+v, want one non-empty lade squash entry", config.History)
			}
			// Everything but rootfs and history is kept.
			want := before.config
			want.RootFS, want.History = config.RootFS, config.History
			if !reflect.DeepEqual(config, want) {
				t.Errorf("config changed beyond rootfs/history:\n got %+v\nwant %+v", config, want)
			}
			if !reflect.DeepEqual(manifest.Annotations, before.manifest.Annotations) {
				t.Errorf("manifest annotations %v, want %v", manifest.Annotations, before.manifest.Annotations)
			}
			assertSameTree(t, engine, path, newPath, mo)
		})
	}
}

func TestSquashFailureCleansUp(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		tempDir func(tmp string) string
		wantErr error
	}{
		{"cancelled", cancelled, func(tmp string) string { return tmp }, context.Canceled},
		{"missing temp dir", t.Context(), func(tmp string) string { return filepath.Join(tmp, "missing") }, fs.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			engine, path := flatImage(t)
			tmp := t.TempDir()
			opts := SquashOptions{MapOptions: layer.MapOptions{Rootless: os.Geteuid() != 0}, TempDir: tc.tempDir(tmp)}
			if _, err := Squash(tc.ctx, engine, path, opts); !errors.Is(err, tc.wantErr) {
				t.Fatalf("Squash: %v, want %v", err, tc.wantErr)
			}
			assertEmptyDir(t, tmp)
			again, err := engine.ResolveOne(t.Context(), "flat")
			if err != nil || again.Descriptor().Digest != path.Descriptor().Digest {
				t.Errorf("tag moved by a failed squash: %v %v", again.Descriptor().Digest, err)
			}
		})
	}
}

func TestSquashSourceDateEpoch(t *testing.T) {
	// Clamping changes the times of newer files: the trees then differ,
	// which also shows that assertSameTree can fail.
	engine, path := flatImage(t)
	sde := testimage.Epoch
	mo := layer.MapOptions{Rootless: os.Geteuid() != 0}
	newPath, err := Squash(t.Context(), engine, path, SquashOptions{MapOptions: mo, SourceDateEpoch: &sde})
	if err != nil {
		t.Fatalf("Squash: %v", err)
	}
	rc, err := layerTar(t, engine, imageOf(t, engine, newPath).manifest.Layers[0])
	if err != nil {
		t.Fatal(err)
	}
	_, entries := readTar(t, rc)
	if motd := entries["etc/motd"].hdr; motd == nil || !motd.ModTime.Equal(sde) {
		t.Errorf("etc/motd not clamped to %v: %+v", sde, motd)
	}
}

// imageParts is a read-back manifest and config.
type imageParts struct {
	manifest ispec.Manifest
	config   ispec.Image
}

func imageOf(t *testing.T, engine casext.Engine, path casext.DescriptorPath) imageParts {
	t.Helper()
	mut, err := mutate.New(engine, path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mut.Manifest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c, err := mut.Config(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return imageParts{manifest: m, config: c}
}

// treeSDE is the SOURCE_DATE_EPOCH of the images assertSameTree compares:
// directories no layer lists get it instead of the time of each unpack. It
// lies in the future so that squash clamps no time the layers hold.
var treeSDE = time.Unix(4_000_000_000, 0)

// assertSameTree unpacks both images (with treeSDE) and compares them with
// umoci's mtree keywords (type, mode, owner, size, time, link, nlink,
// xattrs, sha256).
func assertSameTree(t *testing.T, engine casext.Engine, a, b casext.DescriptorPath, mo layer.MapOptions) {
	t.Helper()
	ctx := t.Context()
	rootA, rootB := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for _, u := range []struct {
		path casext.DescriptorPath
		root string
	}{{a, rootA}, {b, rootB}} {
		if err := UnpackRootfs(ctx, engine, u.path, u.root, UnpackOptions{MapOptions: mo, SourceDateEpoch: &treeSDE}); err != nil {
			t.Fatalf("unpack: %v", err)
		}
	}
	dh, err := mtreeutil.Walk(ctx, rootA, mtreeutil.WalkOptions{})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	deltas, err := mtreeutil.Diff(ctx, rootB, dh, mtreeutil.DiffOptions{})
	if err != nil {
		t.Fatalf("diff: %v", err)
	}
	for _, d := range deltas {
		t.Errorf("squashed tree differs: %s %s", d.Type(), d.Path())
	}
}

// layerTar returns the uncompressed content of a layer blob.
func layerTar(t *testing.T, engine casext.Engine, desc ispec.Descriptor) ([]byte, error) {
	t.Helper()
	blob, err := engine.GetBlob(t.Context(), desc.Digest)
	if err != nil {
		return nil, err
	}
	defer blob.Close()
	alg, err := compress.ByMediaType(desc.MediaType)
	if err != nil {
		return nil, err
	}
	rc, err := alg.Decompress(blob)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
