package layout

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/transport"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func openSource(t *testing.T, name string) (transport.Source, error) {
	t.Helper()
	src, err := OpenSource(context.Background(), ct.MustParse(t, name), transport.Options{})
	if err == nil {
		t.Cleanup(func() { src.Close() })
	}
	return src, err
}

func TestOCISourceNames(t *testing.T) {
	tmp := t.TempDir()
	one := filepath.Join(tmp, "one")
	res := ct.Small(t, one, "latest")
	multi := filepath.Join(tmp, "multi")
	idx := ct.Multi(t, multi)

	for _, name := range []string{"oci:" + one, "oci:" + one + ":latest"} {
		src, err := openSource(t, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		top, _ := src.Resolve(context.Background())
		if top.Digest != res.Manifest.Digest || top.Annotations != nil {
			t.Fatalf("%s resolved to %+v, want %s without annotations", name, top, res.Manifest.Digest)
		}
		if img := ct.Read(t, src); img.Config.Digest != res.Config.Digest {
			t.Fatalf("%s: config %s, want %s", name, img.Config.Digest, res.Config.Digest)
		}
	}
	src, err := openSource(t, "oci:"+multi+":idx")
	if err != nil {
		t.Fatal(err)
	}
	if top, _ := src.Resolve(context.Background()); top.Digest != idx.Digest || top.MediaType != ispec.MediaTypeImageIndex {
		t.Fatalf("idx resolved to %+v", top)
	}

	for _, tc := range []struct {
		name, want string
		notFound   bool
	}{
		{"oci:" + multi, "more than one image in " + multi + ", choose an image with " + multi + ":TAG (tags: amd64, arm64, idx)", false},
		{"oci:" + multi + ":nope", "tag not found: nope (tags: amd64, arm64, idx)", true},
		{"oci:" + filepath.Join(tmp, "missing") + ":x", "does not exist", true},
	} {
		_, err := openSource(t, tc.name)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", tc.name, err, tc.want)
		}
		if err != nil && errors.Is(err, transport.ErrNotFound) != tc.notFound {
			t.Errorf("%s: errors.Is(ErrNotFound) = %v, want %v", tc.name, !tc.notFound, tc.notFound)
		}
	}
}

func TestSourceFetchVerifies(t *testing.T) {
	layoutPath := filepath.Join(t.TempDir(), "l")
	res := ct.Small(t, layoutPath, "latest")
	src, err := openSource(t, "oci:"+layoutPath+":latest")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A descriptor that lies about the size is refused.
	bad := res.Config
	bad.Size--
	if rc, err := src.Fetch(ctx, bad); err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
		if !errors.Is(err, cas.ErrDigestMismatch) {
			t.Fatalf("short size: %v", err)
		}
	} else if !errors.Is(err, cas.ErrDigestMismatch) {
		t.Fatalf("short size: %v", err)
	}
	missing := ispec.Descriptor{MediaType: "application/octet-stream", Digest: digest.FromString("nothing"), Size: 7}
	if _, err := src.Fetch(ctx, missing); !errors.Is(err, transport.ErrNotFound) {
		t.Fatalf("missing blob: %v", err)
	}
}
