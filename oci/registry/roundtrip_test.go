package registry

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
)

func TestPushPullRoundTrip(t *testing.T) {
	setup(t)
	reg := newFakeRegistry()
	srv := reg.start()
	defer srv.Close()
	host := hostOf(srv)
	ctx := t.Context()
	img := newTestImage(t, "a")

	dst, err := OpenDestination(ctx, name(t, host, "team/app:v1"), plain())
	if err != nil {
		t.Fatal(err)
	}
	if dst.LayerCompression() != transport.Compress || dst.ManifestTypes() != nil {
		t.Fatal("docker:// destination wants compressed layers and takes any manifest type")
	}
	if has, err := dst.Has(ctx, img.layerDesc()); err != nil || has {
		t.Fatalf("Has before push = %v, %v", has, err)
	}
	if err := dst.PutBlob(ctx, img.configDesc(), bytes.NewReader(img.config)); err != nil {
		t.Fatal(err)
	}
	if err := dst.PutBlob(ctx, img.layerDesc(), struct{ *bytes.Reader }{bytes.NewReader(img.layer)}); err != nil {
		t.Fatal(err)
	}
	if has, err := dst.Has(ctx, img.layerDesc()); err != nil || !has {
		t.Fatalf("Has after push = %v, %v", has, err)
	}
	if err := dst.Commit(ctx, img.desc, img.manifest); err != nil {
		t.Fatal(err)
	}
	if has, err := dst.Has(ctx, img.desc); err != nil || !has {
		t.Fatalf("Has(manifest) after commit = %v, %v", has, err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}

	src, err := OpenSource(ctx, name(t, host, "team/app:v1"), plain())
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	desc, err := src.Resolve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest != img.desc.Digest || desc.MediaType != img.desc.MediaType || desc.Size != img.desc.Size {
		t.Fatalf("Resolve = %+v, want %+v", desc, img.desc)
	}
	before := reg.requests.Load()
	raw, err := readAll(ctx, src, desc)
	if err != nil || !bytes.Equal(raw, img.manifest) {
		t.Fatalf("Fetch(manifest) = %v", err)
	}
	if reg.requests.Load() != before {
		t.Fatal("the resolved manifest was fetched again")
	}
	for _, want := range [][]byte{img.config, img.layer} {
		d := img.configDesc()
		if len(want) == len(img.layer) {
			d = img.layerDesc()
		}
		got, err := readAll(ctx, src, d)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Fetch(%s) = %d bytes, %v", d.Digest, len(got), err)
		}
	}
	tags, err := src.(transport.TagLister).Tags(ctx)
	if err != nil || !slices.Equal(tags, []string{"v1"}) {
		t.Fatalf("Tags = %v, %v", tags, err)
	}
	if r, p := src.(transport.Repository).Repository(); r != host || p != "team/app" {
		t.Fatalf("Repository() = %s %s", r, p)
	}
	byDigest, err := OpenSource(ctx, name(t, host, "team/app@"+img.desc.Digest.String()), plain())
	if err != nil {
		t.Fatal(err)
	}
	if d, err := byDigest.Resolve(ctx); err != nil || d.Digest != img.desc.Digest {
		t.Fatalf("Resolve by digest = %v, %v", d, err)
	}
	missing, _ := OpenSource(ctx, name(t, host, "team/app:nope"), plain())
	if _, err := missing.Resolve(ctx); !errors.Is(err, transport.ErrNotFound) {
		t.Fatalf("missing tag: %v", err)
	}
	unsized := img.layerDesc()
	unsized.Size = -1
	if _, err := src.Fetch(ctx, unsized); err == nil {
		t.Fatal("Fetch of a descriptor without a size: no error")
	}
	if _, err := src.Fetch(ctx, newTestImage(t, "zz").layerDesc()); !errors.Is(err, transport.ErrNotFound) {
		t.Fatalf("missing blob: %v", err)
	}
}

func TestPutManifestByDigestAndIndexCommit(t *testing.T) {
	setup(t)
	reg := newFakeRegistry()
	srv := reg.start()
	defer srv.Close()
	ctx := t.Context()
	img := newTestImage(t, "b")
	img.store(reg, "x", "")
	dst, err := OpenDestination(ctx, name(t, hostOf(srv), "x@"+img.desc.Digest.String()), plain())
	if err != nil {
		t.Fatal(err)
	}
	if err := dst.PutManifest(ctx, img.desc, img.manifest); err != nil {
		t.Fatal(err)
	}
	if _, ok := reg.bodyOf("x", img.desc.Digest); !ok {
		t.Fatal("PutManifest stored nothing")
	}
	other := newTestImage(t, "c")
	if err := dst.Commit(ctx, other.desc, other.manifest); err == nil {
		t.Fatal("Commit of another digest to a name with a digest succeeded")
	}
	if err := dst.Commit(ctx, img.desc, img.manifest); err != nil {
		t.Fatal(err)
	}
	if err := dst.PutManifest(ctx, img.desc, append(img.manifest, ' ')); err == nil {
		t.Fatal("PutManifest of bytes that do not match the descriptor succeeded")
	}
}
