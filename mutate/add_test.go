package mutate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strconv"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/compress"
)

func TestAdd(t *testing.T) {
	tests := []struct {
		alg       compress.Algorithm
		mediaType string
		sizeHint  bool
	}{
		{compress.None, "application/vnd.oci.image.layer.v1.tar", false},
		{compress.Gzip, "application/vnd.oci.image.layer.v1.tar+gzip", true},
		{compress.Zstd, "application/vnd.oci.image.layer.v1.tar+zstd", true},
	}
	for _, b := range backends {
		for _, tc := range tests {
			t.Run(b.name+"/"+tc.alg.Name(), func(t *testing.T) {
				ctx := t.Context()
				e := b.open(t)
				m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{baseImage(t, e)}})
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				layerTar := makeTar(t, "a", "b/c", "d")
				hist := ispec.History{Created: timePtr(fixedTime), CreatedBy: "lade raw add-layer", EmptyLayer: true}
				desc, err := m.Add(ctx, bytes.NewReader(layerTar), tc.alg, &hist, map[string]string{"x": "y"})
				if err != nil {
					t.Fatalf("Add: %v", err)
				}
				if desc.MediaType != tc.mediaType {
					t.Errorf("media type = %q, want %q", desc.MediaType, tc.mediaType)
				}
				if desc.Annotations["x"] != "y" {
					t.Errorf("caller annotation lost: %v", desc.Annotations)
				}
				hint, ok := desc.Annotations[UncompressedSizeAnnotation]
				if ok != tc.sizeHint || (ok && hint != strconv.Itoa(len(layerTar))) {
					t.Errorf("size annotation = %q (present %v), want present=%v with %d", hint, ok, tc.sizeHint, len(layerTar))
				}

				blob := readBlob(t, e, desc)
				if desc.Digest != digestOf(blob) {
					t.Errorf("descriptor digest %s does not match blob", desc.Digest)
				}
				rc, err := tc.alg.Decompress(bytes.NewReader(blob))
				if err != nil {
					t.Fatalf("decompress: %v", err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, layerTar) {
					t.Fatalf("layer does not decompress to the input (err %v, %d vs %d bytes)", err, len(got), len(layerTar))
				}

				path, err := m.Commit(ctx)
				if err != nil {
					t.Fatalf("Commit: %v", err)
				}
				var manifest ispec.Manifest
				readJSON(t, e, path.Descriptor(), &manifest)
				var config ispec.Image
				readJSON(t, e, manifest.Config, &config)
				if n := len(manifest.Layers); n != 2 || manifest.Layers[1].Digest != desc.Digest || manifest.Layers[0].Annotations["layer.note"] != "kept" {
					t.Errorf("layers = %+v", manifest.Layers)
				}
				if ids := config.RootFS.DiffIDs; len(ids) != 2 || ids[1] != digestOf(layerTar) {
					t.Errorf("diff_ids = %v, want last %s", ids, digestOf(layerTar))
				}
				if h := config.History; len(h) != 2 || h[1].EmptyLayer || h[1].CreatedBy != "lade raw add-layer" {
					t.Errorf("history = %+v", h)
				}
				if err := e.UpdateReference(ctx, "t", path.Root()); err != nil {
					t.Fatalf("UpdateReference: %v", err)
				}
				validateLayout(t, e)
			})
		}
	}
}

// failReader returns n bytes of data, then err.
type failReader struct {
	n   int
	err error
}

func (f *failReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	k := min(len(p), f.n)
	clear(p[:k])
	f.n -= k
	return k, nil
}

// failingPut is an engine whose PutBlob reads part of its input, then fails.
type failingPut struct {
	casext.Engine
	err error
}

func (f failingPut) PutBlob(_ context.Context, r io.Reader) (digest.Digest, int64, error) {
	_, _ = io.CopyN(io.Discard, r, 10)
	return "", 0, f.err
}

func TestAddFailureLeavesMutatorUnchanged(t *testing.T) {
	errRead := errors.New("source broke")
	errPut := errors.New("disk full")
	tests := []struct {
		name string
		src  io.Reader
		put  error
		want error
	}{
		{"reader fails", &failReader{n: 1 << 20, err: errRead}, nil, errRead},
		{"put fails", bytes.NewReader(bytes.Repeat([]byte("x"), 4<<20)), errPut, errPut},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			base := backends[0].open(t)
			src := casext.DescriptorPath{Walk: []ispec.Descriptor{baseImage(t, base)}}
			e := base
			if tc.put != nil {
				e = casext.NewEngine(failingPut{Engine: base, err: tc.put})
			}
			m, err := New(e, src)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			_, err = m.Add(ctx, tc.src, compress.Gzip, &ispec.History{CreatedBy: "x"}, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Add error = %v, want %v", err, tc.want)
			}
			manifest, _ := m.Manifest(ctx)
			config, _ := m.Config(ctx)
			if len(manifest.Layers) != 1 || len(config.RootFS.DiffIDs) != 1 || len(config.History) != 1 {
				t.Errorf("failed Add changed the image: %d layers, %d diff_ids, %d history",
					len(manifest.Layers), len(config.RootFS.DiffIDs), len(config.History))
			}
			path, err := m.Commit(ctx)
			if err != nil || !reflect.DeepEqual(path, src) {
				t.Errorf("Commit after failed Add = %+v, %v; want the source path", path, err)
			}
		})
	}
}

func TestAddWithoutHistoryWarns(t *testing.T) {
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	ctx := t.Context()
	e := backends[0].open(t)
	m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{baseImage(t, e)}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, err := m.Add(ctx, bytes.NewReader(makeTar(t, "f")), compress.None, nil, nil); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if !bytes.Contains(logs.Bytes(), []byte("level=WARN")) {
		t.Errorf("no warning logged for a layer without history: %q", logs.String())
	}
	config, _ := m.Config(ctx)
	if len(config.History) != 1 || len(config.RootFS.DiffIDs) != 2 {
		t.Errorf("history %d entries, diff_ids %d; want 1 and 2", len(config.History), len(config.RootFS.DiffIDs))
	}
}

// endless yields zero bytes forever, cancelling ctx after limit bytes.
type endless struct {
	cancel context.CancelFunc
	limit  int
}

func (e *endless) Read(p []byte) (int, error) {
	e.limit -= len(p)
	if e.limit < 0 {
		e.cancel()
	}
	clear(p)
	return len(p), nil
}

func TestAddCancelled(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := b.open(t)
			m, err := New(e, casext.DescriptorPath{Walk: []ispec.Descriptor{baseImage(t, e)}})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			_, err = m.Add(ctx, &endless{cancel: cancel, limit: 1 << 20}, compress.Gzip, nil, nil)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Add error = %v, want context.Canceled", err)
			}
			if manifest, _ := m.Manifest(t.Context()); len(manifest.Layers) != 1 {
				t.Errorf("cancelled Add appended a layer")
			}
		})
	}
}
