package inspect

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// customConfig exercises what skopeo's output is sensitive to: no
// "created" (null), a docker_version in an OCI config, HTML characters
// (escaped), a variant and os.version (printed by --config only), fields
// that are not OCI (dropped by --config), history and ArgsEscaped.
const customConfig = `{"architecture":"arm64","variant":"v8","os":"linux","os.version":"10.1","os.features":["f1"],` +
	`"docker_version":"20.10.1","author":"me <me@example.com>",` +
	`"config":{"User":"1:1","ExposedPorts":{"80/tcp":{}},"Env":["A=1","HTML=<&>"],"Entrypoint":["/e"],"Cmd":["sh"],` +
	`"Volumes":{"/v":{}},"WorkingDir":"/w","Labels":{"b":"2","a":"<1>"},"StopSignal":"SIGTERM","ArgsEscaped":true,"Healthcheck":{"Test":["x"]}},` +
	`"container_config":{"Cmd":["build"]},` +
	`"rootfs":{"type":"layers","diff_ids":["sha256:d30fa714e345bc79369f4ee5fc2f6bef8eaa4fd916b56ce394ee190d2c6f6feb"]},` +
	`"history":[{"created":"2023-05-06T07:08:09.123+02:00","created_by":"x","author":"a","comment":"c","empty_layer":true}]}`

// minimalConfig has only a platform: Labels and Env are null, Layers [].
const minimalConfig = `{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`

// fixture is a layout holding every image the golden tests inspect, tagged:
//
//	small      testimage.Small (three layers, created, labels, env)
//	custom     customConfig over Small's layers
//	minimal    minimalConfig, no layers
//	artifact   a manifest whose config is not an image configuration
//	index      linux/amd64, linux/arm64/v8, linux/arm/v7 and linux/arm/v6 images
//	fallback   linux/arm64 and an entry without a platform (amd64)
//	nested     an index whose only entry is the "index" index
type fixture struct {
	path  string
	small *testimage.Result
}

func buildFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{path: t.TempDir() + "/layout"}
	var err error
	if f.small, err = testimage.Small().Write(ctx, f.path, "small"); err != nil {
		t.Fatal(err)
	}
	plat := map[string]*testimage.Result{}
	for _, p := range []string{"amd64", "arm64/v8", "arm/v7", "arm/v6"} {
		b := testimage.New().AddLayer(testimage.Gzip, "layer of "+p, testimage.File("arch", p, 0o644))
		b.Architecture, b.Variant, _ = strings.Cut(p, "/")
		if plat[p], err = b.Write(ctx, f.path, "plat-"+b.Architecture+b.Variant); err != nil {
			t.Fatal(err)
		}
	}

	e, err := dir.Open(ctx, f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	eng := casext.NewEngine(e)
	tag := func(name string, desc ispec.Descriptor) {
		t.Helper()
		if err := eng.UpdateReference(ctx, name, desc); err != nil {
			t.Fatal(err)
		}
	}
	putManifest := func(configType, config string, layers []ispec.Descriptor) ispec.Descriptor {
		t.Helper()
		d, n, err := eng.PutBlob(ctx, bytes.NewReader([]byte(config)))
		if err != nil {
			t.Fatal(err)
		}
		if layers == nil {
			layers = []ispec.Descriptor{}
		}
		m := ispec.Manifest{MediaType: mediatype.Manifest, Config: ispec.Descriptor{MediaType: configType, Digest: d, Size: n}, Layers: layers}
		m.SchemaVersion = 2
		return putJSON(t, eng, mediatype.Manifest, m)
	}
	tag("custom", putManifest(mediatype.Config, customConfig, f.small.Layers))
	tag("minimal", putManifest(mediatype.Config, minimalConfig, nil))
	tag("artifact", putManifest("application/vnd.example.thing+json", `{"thing":1}`, nil))

	entry := func(p string, withPlatform bool) ispec.Descriptor {
		d := plat[p].Manifest
		d.Annotations = nil
		if withPlatform {
			d.Platform = &ispec.Platform{OS: "linux"}
			d.Platform.Architecture, d.Platform.Variant, _ = strings.Cut(p, "/")
		}
		return d
	}
	index := func(entries ...ispec.Descriptor) ispec.Descriptor {
		idx := ispec.Index{MediaType: mediatype.Index, Manifests: entries}
		idx.SchemaVersion = 2
		return putJSON(t, eng, mediatype.Index, idx)
	}
	idx := index(entry("amd64", true), entry("arm64/v8", true), entry("arm/v7", true), entry("arm/v6", true))
	tag("index", idx)
	tag("fallback", index(entry("arm64/v8", true), entry("amd64", false)))
	tag("nested", index(idx))
	return f
}

func putJSON(t *testing.T, eng casext.Engine, mt string, v any) ispec.Descriptor {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	d, n, err := eng.PutBlob(context.Background(), bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return ispec.Descriptor{MediaType: mt, Digest: d, Size: n}
}
