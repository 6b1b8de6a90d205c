package imagecopytest

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/transport"
)

// Destination is an in-memory transport.Destination.
type Destination struct {
	name transport.Name
	// Types is what ManifestTypes returns (nil: any).
	Types []string
	// Compression is what LayerCompression returns.
	Compression transport.LayerCompression
	// Discard keeps only the digests and sizes of blobs, not their bytes
	// (for very large blobs).
	Discard bool

	// PutBlobHook, when set, runs at the start of every PutBlob; an error
	// it returns is PutBlob's (nothing is stored).
	PutBlobHook func(ctx context.Context, desc ispec.Descriptor) error

	mu        sync.Mutex
	blobs     map[digest.Digest][]byte
	sizes     map[digest.Digest]int64
	manifests map[digest.Digest][]byte
	committed *ispec.Descriptor
	top       []byte
	closed    bool

	hasCalls, putCalls atomic.Int64
	inFlight, maxPuts  atomic.Int64
}

// NewDestination returns an empty destination named name ("oci:/dst"
// when empty).
func NewDestination(name string) *Destination {
	return &Destination{name: mustName(name, "oci:/dst"), blobs: map[digest.Digest][]byte{},
		sizes: map[digest.Digest]int64{}, manifests: map[digest.Digest][]byte{}}
}

// Seed stores a blob or manifest as if an earlier copy had written it.
func (d *Destination) Seed(desc ispec.Descriptor, data []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.blobs[desc.Digest] = data
	d.sizes[desc.Digest] = desc.Size
}

// Blob returns a stored blob or manifest.
func (d *Destination) Blob(dg digest.Digest) ([]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if m, ok := d.manifests[dg]; ok {
		return m, true
	}
	b, ok := d.blobs[dg]
	return b, ok
}

// Size returns the size of a stored blob.
func (d *Destination) Size(dg digest.Digest) (int64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.sizes[dg]
	return n, ok
}

// Committed returns the committed top descriptor and bytes, if any.
func (d *Destination) Committed() (*ispec.Descriptor, []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.committed, d.top
}

// Manifests returns the manifests stored with PutManifest.
func (d *Destination) Manifests() map[digest.Digest][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := make(map[digest.Digest][]byte, len(d.manifests))
	for k, v := range d.manifests {
		m[k] = v
	}
	return m
}

// Counts returns the number of Has and PutBlob calls, and the most
// PutBlob calls that ran at once.
func (d *Destination) Counts() (has, puts, maxConcurrentPuts int64) {
	return d.hasCalls.Load(), d.putCalls.Load(), d.maxPuts.Load()
}

// InFlight returns how many PutBlob calls are running.
func (d *Destination) InFlight() int64 { return d.inFlight.Load() }

// Name implements transport.Destination.
func (d *Destination) Name() transport.Name { return d.name }

// ManifestTypes implements transport.Destination.
func (d *Destination) ManifestTypes() []string { return d.Types }

// LayerCompression implements transport.Destination.
func (d *Destination) LayerCompression() transport.LayerCompression { return d.Compression }

// Has implements transport.Destination.
func (d *Destination) Has(_ context.Context, desc ispec.Descriptor) (bool, error) {
	d.hasCalls.Add(1)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.manifests[desc.Digest]; ok {
		return true, nil
	}
	_, ok := d.sizes[desc.Digest]
	return ok, nil
}

// PutBlob implements transport.Destination: it reads r to its end,
// hashing it, and stores the blob only when digest and size match desc.
func (d *Destination) PutBlob(ctx context.Context, desc ispec.Descriptor, r io.Reader) error {
	d.putCalls.Add(1)
	n := d.inFlight.Add(1)
	defer d.inFlight.Add(-1)
	for {
		m := d.maxPuts.Load()
		if n <= m || d.maxPuts.CompareAndSwap(m, n) {
			break
		}
	}
	if d.PutBlobHook != nil {
		if err := d.PutBlobHook(ctx, desc); err != nil {
			return err
		}
	}
	h := digest.SHA256.Digester()
	var keep []byte
	var w io.Writer = h.Hash()
	buf := &byteSink{}
	if !d.Discard {
		w = io.MultiWriter(h.Hash(), buf)
	}
	size, err := io.Copy(w, r)
	if err != nil {
		return fmt.Errorf("put blob %s: %w", desc.Digest, err)
	}
	if got := h.Digest(); got != desc.Digest || size != desc.Size {
		return fmt.Errorf("put blob %s: %w: got %s, %d bytes (want %d)", desc.Digest, cas.ErrDigestMismatch, got, size, desc.Size)
	}
	keep = buf.b
	d.mu.Lock()
	defer d.mu.Unlock()
	d.blobs[desc.Digest] = keep
	d.sizes[desc.Digest] = size
	return nil
}

type byteSink struct{ b []byte }

func (s *byteSink) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}

// PutManifest implements transport.Destination.
func (d *Destination) PutManifest(_ context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := check(desc, raw); err != nil {
		return fmt.Errorf("put manifest: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.manifests[desc.Digest] = raw
	return nil
}

// Commit implements transport.Destination.
func (d *Destination) Commit(_ context.Context, desc ispec.Descriptor, raw []byte) error {
	if err := check(desc, raw); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.manifests[desc.Digest] = raw
	d.committed = &desc
	d.top = raw
	return nil
}

func check(desc ispec.Descriptor, raw []byte) error {
	if digest.FromBytes(raw) != desc.Digest || int64(len(raw)) != desc.Size {
		return fmt.Errorf("%s: %w", desc.Digest, cas.ErrDigestMismatch)
	}
	return nil
}

// Close implements transport.Destination.
func (d *Destination) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

// MountDestination is a Destination that is a registry repository able to
// mount blobs from the other repositories of its registry.
type MountDestination struct {
	*Destination
	Registry, Repo string
	// Mountable lists the blobs the registry can mount (others are
	// refused: Mount returns false).
	Mountable map[digest.Digest]bool

	mu     sync.Mutex
	mounts []string // "digest from repo"
}

// Repository implements transport.Repository.
func (d *MountDestination) Repository() (string, string) { return d.Registry, d.Repo }

// Mount implements transport.Mounter.
func (d *MountDestination) Mount(ctx context.Context, desc ispec.Descriptor, fromRepo string) (bool, error) {
	d.mu.Lock()
	d.mounts = append(d.mounts, desc.Digest.String()+" from "+fromRepo)
	d.mu.Unlock()
	if !d.Mountable[desc.Digest] {
		return false, nil
	}
	d.Seed(desc, nil)
	return true, nil
}

// Mounts returns the Mount calls made, as "digest from repo".
func (d *MountDestination) Mounts() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.mounts...)
}
