package bundle

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/mtreeutil"
	"github.com/lade-oci/lade/layer"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/validate"
)

// dockerLayerTypes maps the OCI layer types buildImage writes to Docker
// ones: the ordinary rootfs diff types, or the foreign ones where Docker
// has them.
var dockerLayerTypes = map[string]map[string]string{
	"docker": {
		mediatype.LayerGzip: mediatype.DockerLayerGzip,
		mediatype.LayerZstd: mediatype.DockerLayerZstd,
		mediatype.Layer:     mediatype.DockerLayer,
	},
	"foreign": {
		mediatype.LayerGzip: mediatype.DockerForeignLayerGzip,
		mediatype.LayerZstd: mediatype.DockerForeignLayerZstd,
		mediatype.Layer:     mediatype.DockerLayer,
	},
}

// dockerCopy stores the image at path again in Docker v2s2 form (Docker
// manifest and config media types, Docker-only config fields added, the
// layer descriptors retyped per types, the layer blobs shared) and tags it
// "docker".
func dockerCopy(t *testing.T, engine casext.Engine, path casext.DescriptorPath, types map[string]string) casext.DescriptorPath {
	t.Helper()
	ctx := t.Context()
	blob, err := engine.FromDescriptor(ctx, path.Descriptor())
	if err != nil {
		t.Fatal(err)
	}
	manifest := *blob.Data.(*ispec.Manifest)
	cblob, err := engine.FromDescriptor(ctx, manifest.Config)
	if err != nil {
		t.Fatal(err)
	}
	var config map[string]any
	if err := json.Unmarshal(cblob.Raw, &config); err != nil {
		t.Fatal(err)
	}
	config["docker_version"] = "24.0.7"
	config["container_config"] = map[string]any{"Hostname": "abc", "Cmd": []string{"/bin/true"}}
	cd, cn, err := engine.PutBlobJSON(ctx, config)
	if err != nil {
		t.Fatal(err)
	}
	manifest.MediaType = mediatype.DockerManifest
	manifest.Config = ispec.Descriptor{MediaType: mediatype.DockerConfig, Digest: cd, Size: cn}
	manifest.Layers = append([]ispec.Descriptor(nil), manifest.Layers...)
	for i, l := range manifest.Layers {
		mt, ok := types[l.MediaType]
		if !ok {
			t.Fatalf("no Docker type for %q", l.MediaType)
		}
		manifest.Layers[i].MediaType = mt
	}
	md, mn, err := engine.PutBlobJSON(ctx, manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.UpdateReference(ctx, "docker", ispec.Descriptor{MediaType: mediatype.DockerManifest, Digest: md, Size: mn}); err != nil {
		t.Fatal(err)
	}
	dpath, err := engine.ResolveOne(ctx, "docker")
	if err != nil {
		t.Fatal(err)
	}
	return dpath
}

func TestUnpackDockerImage(t *testing.T) {
	for name, types := range dockerLayerTypes {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			ti := buildImage(t, func(img *ispec.Image) { img.Config.User = "app" }, threeLayers(t)...)
			dpath := dockerCopy(t, ti.engine, ti.path, types)

			mo := layer.MapOptions{Rootless: os.Geteuid() != 0}
			ociBundle, dockerBundle := filepath.Join(t.TempDir(), "oci"), filepath.Join(t.TempDir(), "docker")
			// treeSDE: directories no layer lists get one time in both.
			if err := Unpack(ctx, ti.engine, ti.path, ociBundle, UnpackOptions{MapOptions: mo, SourceDateEpoch: &treeSDE}); err != nil {
				t.Fatalf("Unpack OCI: %v", err)
			}
			if err := Unpack(ctx, ti.engine, dpath, dockerBundle, UnpackOptions{MapOptions: mo, SourceDateEpoch: &treeSDE}); err != nil {
				t.Fatalf("Unpack Docker: %v", err)
			}
			// Same tree, by umoci's mtree keywords.
			dh, err := mtreeutil.Walk(ctx, filepath.Join(ociBundle, RootfsName), mtreeutil.WalkOptions{})
			if err != nil {
				t.Fatal(err)
			}
			deltas, err := mtreeutil.Diff(ctx, filepath.Join(dockerBundle, RootfsName), dh, mtreeutil.DiffOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range deltas {
				t.Errorf("Docker unpack differs: %s %s", d.Type(), d.Path())
			}
			// Same runtime config (Docker-only config fields ignored).
			if a, b := readFile(t, filepath.Join(ociBundle, ConfigName)), readFile(t, filepath.Join(dockerBundle, ConfigName)); a != b {
				t.Errorf("config.json differs:\n oci %s\ndocker %s", a, b)
			}
			// umoci.json records the path as found.
			meta, err := ReadMeta(ctx, dockerBundle)
			if err != nil {
				t.Fatal(err)
			}
			if d := meta.From.Descriptor(); d.MediaType != mediatype.DockerManifest || d.Digest != dpath.Descriptor().Digest {
				t.Errorf("umoci.json from = %+v, want the Docker manifest %s", d, dpath.Descriptor().Digest)
			}
			// export gives the same archive.
			var ociTar, dockerTar bytes.Buffer
			if err := Export(ctx, ti.engine, ti.path, &ociTar, ExportOptions{MapOptions: mo, TempDir: t.TempDir(), SourceDateEpoch: &treeSDE}); err != nil {
				t.Fatalf("Export OCI: %v", err)
			}
			if err := Export(ctx, ti.engine, dpath, &dockerTar, ExportOptions{MapOptions: mo, TempDir: t.TempDir(), SourceDateEpoch: &treeSDE}); err != nil {
				t.Fatalf("Export Docker: %v", err)
			}
			if !bytes.Equal(ociTar.Bytes(), dockerTar.Bytes()) {
				t.Errorf("export of the Docker image differs from the OCI one's (%d vs %d bytes)", dockerTar.Len(), ociTar.Len())
			}
		})
	}
}

func TestRepackDockerBundle(t *testing.T) {
	ctx := t.Context()
	ti := buildImage(t, nil, threeLayers(t)...)
	dpath := dockerCopy(t, ti.engine, ti.path, dockerLayerTypes["foreign"])
	before := imageOf(t, ti.engine, dpath)
	mo := layer.MapOptions{Rootless: os.Geteuid() != 0}
	bundle := filepath.Join(t.TempDir(), "bundle")
	if err := Unpack(ctx, ti.engine, dpath, bundle, UnpackOptions{MapOptions: mo}); err != nil {
		t.Fatalf("Unpack: %v", err)
	}
	repackWrite(t, filepath.Join(bundle, RootfsName, "added"), "added\n")
	newPath, err := Repack(ctx, ti.engine, "repacked", bundle, RepackOptions{})
	if err != nil {
		t.Fatalf("Repack: %v", err)
	}
	if mt := newPath.Descriptor().MediaType; mt != mediatype.Manifest {
		t.Errorf("repacked manifest descriptor is %q, want OCI", mt)
	}
	after := imageOf(t, ti.engine, newPath)
	checkConvertedLayers(t, before.manifest, after.manifest, 1)
	if after.config.Config.User != before.config.Config.User || len(after.config.RootFS.DiffIDs) != len(before.config.RootFS.DiffIDs)+1 {
		t.Errorf("repacked config = %+v", after.config)
	}
	if err := validate.Layout(ctx, ti.engine); err != nil {
		t.Errorf("layout invalid after repack: %v", err)
	}
	// The repacked image unpacks with the new file.
	again := filepath.Join(t.TempDir(), "again")
	if err := UnpackRootfs(ctx, ti.engine, newPath, again, UnpackOptions{MapOptions: mo}); err != nil {
		t.Fatalf("unpack repacked: %v", err)
	}
	if got := readFile(t, filepath.Join(again, "added")); got != "added\n" {
		t.Errorf("added = %q", got)
	}
}

func TestSquashDockerImage(t *testing.T) {
	ctx := t.Context()
	ti := buildImage(t, nil, threeLayers(t)...)
	dpath := dockerCopy(t, ti.engine, ti.path, dockerLayerTypes["docker"])
	mo := layer.MapOptions{Rootless: os.Geteuid() != 0}
	newPath, err := Squash(ctx, ti.engine, dpath, SquashOptions{MapOptions: mo, TempDir: t.TempDir(), SourceDateEpoch: &treeSDE})
	if err != nil {
		t.Fatalf("Squash: %v", err)
	}
	after := imageOf(t, ti.engine, newPath)
	if newPath.Descriptor().MediaType != mediatype.Manifest || after.manifest.MediaType != mediatype.Manifest ||
		after.manifest.Config.MediaType != mediatype.Config || len(after.manifest.Layers) != 1 ||
		after.manifest.Layers[0].MediaType != mediatype.LayerGzip {
		t.Errorf("squashed image is not OCI: %s %+v", newPath.Descriptor().MediaType, after.manifest)
	}
	if err := validate.Layout(ctx, ti.engine); err != nil {
		t.Errorf("layout invalid after squash: %v", err)
	}
	assertSameTree(t, ti.engine, ti.path, newPath, mo)
}

// checkConvertedLayers checks that after is OCI and that its first layers
// are before's, retyped to OCI with the same digests, followed by added
// new OCI layers.
func checkConvertedLayers(t *testing.T, before, after ispec.Manifest, added int) {
	t.Helper()
	if after.MediaType != mediatype.Manifest || after.Config.MediaType != mediatype.Config {
		t.Errorf("manifest %q with config %q, want OCI types", after.MediaType, after.Config.MediaType)
	}
	if len(after.Layers) != len(before.Layers)+added {
		t.Fatalf("%d layers, want %d", len(after.Layers), len(before.Layers)+added)
	}
	for i, l := range after.Layers {
		if mediatype.IsDocker(l.MediaType) {
			t.Errorf("layer %d still has Docker type %q", i, l.MediaType)
		}
		if i >= len(before.Layers) {
			continue
		}
		b := before.Layers[i]
		if l.Digest != b.Digest || l.Size != b.Size || l.MediaType != mediatype.ToOCI(b.MediaType) {
			t.Errorf("layer %d = %s %d %q, want %s %d %q", i, l.Digest, l.Size, l.MediaType, b.Digest, b.Size, mediatype.ToOCI(b.MediaType))
		}
	}
}
