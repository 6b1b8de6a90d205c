package imagecopytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/hardening"
	"github.com/lade-oci/lade/oci/transport"
)

// Source is an in-memory transport.Source. Set Top (or use SetTop) to
// what Resolve returns.
type Source struct {
	name transport.Name
	Top  ispec.Descriptor

	// FetchHook, when set, runs before every Fetch; an error it returns
	// is Fetch's.
	FetchHook func(ctx context.Context, desc ispec.Descriptor) error

	mu      sync.Mutex
	blobs   map[digest.Digest]func() io.Reader
	fetches map[digest.Digest]int
}

// NewSource returns an empty source named name (any name; "oci:/src"
// when empty).
func NewSource(name string) *Source {
	return &Source{name: mustName(name, "oci:/src"), blobs: map[digest.Digest]func() io.Reader{}, fetches: map[digest.Digest]int{}}
}

func mustName(s, def string) transport.Name {
	if s == "" {
		s = def
	}
	n, err := transport.Parse(s)
	if err != nil {
		panic(err)
	}
	return n
}

// Add stores data and returns its descriptor with media type mt.
func (s *Source) Add(mt string, data []byte) ispec.Descriptor {
	desc := ispec.Descriptor{MediaType: mt, Digest: digest.FromBytes(data), Size: int64(len(data))}
	s.Put(desc.Digest, data)
	return desc
}

// AddJSON stores the JSON encoding of v.
func (s *Source) AddJSON(mt string, v any) ispec.Descriptor {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return s.Add(mt, data)
}

// Put serves data under digest d, whatever d is: a test stores wrong
// content this way.
func (s *Source) Put(d digest.Digest, data []byte) {
	s.PutStream(d, func() io.Reader { return bytes.NewReader(data) })
}

// PutStream serves the stream open returns under digest d, opened anew
// on every Fetch (for blobs too large to hold in memory).
func (s *Source) PutStream(d digest.Digest, open func() io.Reader) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blobs[d] = open
}

// SetTop sets what Resolve returns.
func (s *Source) SetTop(desc ispec.Descriptor) { s.Top = desc }

// Fetches returns how often d was fetched.
func (s *Source) Fetches(d digest.Digest) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches[d]
}

// TotalFetches returns how many Fetch calls there were.
func (s *Source) TotalFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.fetches {
		n += c
	}
	return n
}

// Name implements transport.Source.
func (s *Source) Name() transport.Name { return s.name }

// Resolve implements transport.Source.
func (s *Source) Resolve(context.Context) (ispec.Descriptor, error) {
	if s.Top.Digest == "" {
		return ispec.Descriptor{}, fmt.Errorf("resolve %s: %w", s.name, transport.ErrNotFound)
	}
	return s.Top, nil
}

// Fetch implements transport.Source: the reader is verified against desc.
func (s *Source) Fetch(ctx context.Context, desc ispec.Descriptor) (io.ReadCloser, error) {
	s.mu.Lock()
	s.fetches[desc.Digest]++
	open, ok := s.blobs[desc.Digest]
	s.mu.Unlock()
	if s.FetchHook != nil {
		if err := s.FetchHook(ctx, desc); err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, fmt.Errorf("fetch %s: %w", desc.Digest, transport.ErrNotFound)
	}
	return hardening.NewVerifiedReader(io.NopCloser(open()), desc.Digest, desc.Size), nil
}

// Close implements transport.Source.
func (s *Source) Close() error { return nil }

// RepoSource is a Source that is a registry repository.
type RepoSource struct {
	*Source
	Registry, Repo string
}

// Repository implements transport.Repository.
func (s RepoSource) Repository() (string, string) { return s.Registry, s.Repo }
