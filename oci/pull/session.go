package pull

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"sync"
	"syscall"
	"time"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// DefaultParallel is how many blobs are downloaded at once by default.
const DefaultParallel = 4

// Options control a pull.
type Options struct {
	// Platform picks the image of an index; empty fields are the host's.
	Platform ispec.Platform
	// Parallel bounds the downloads running at once; 0 is DefaultParallel.
	Parallel int
	// RetryTimes is how often a download that failed in the middle for a
	// passing reason is tried again (0: never), as imagecopy.Options's:
	// give the source the same value, which retries its requests itself.
	RetryTimes int
	// RetryDelay is the wait before the first retry; 0 means
	// transport.DefaultRetryDelay.
	RetryDelay time.Duration
	// Progress, when set, is told about every download.
	Progress progress.Reporter
}

// Session is one image being pulled into a layout (see the package doc).
type Session struct {
	src     transport.Source
	layout  cas.Engine
	putter  cas.VerifyingPutter
	refname string
	entry   ispec.Descriptor // the image's index.json entry (tagged refname)
	opts    Options

	ctx    context.Context // the downloads' context, cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	fetches map[digest.Digest]*fetch
}

// fetch is the download of one blob: done is closed when it ended, with
// err set on failure.
type fetch struct {
	desc ispec.Descriptor
	done chan struct{}
	err  error
}

// Open creates the layout at layoutPath if it does not exist, resolves the
// image src names, stores its manifest and starts downloading its config
// and layers. refname is the tag the image gets in the layout at Commit. The
// caller closes the session (which does not close src).
func Open(ctx context.Context, src transport.Source, layoutPath, refname string, opts Options) (*Session, error) {
	if !casext.IsValidReferenceName(refname) {
		return nil, fmt.Errorf("pull %s: %w: %q", src.Name(), casext.ErrInvalidRefName, refname)
	}
	if opts.Parallel <= 0 {
		opts.Parallel = DefaultParallel
	}
	if err := createLayout(ctx, layoutPath); err != nil {
		return nil, fmt.Errorf("pull %s: %w", src.Name(), err)
	}
	layout, err := dir.Open(ctx, layoutPath)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", src.Name(), err)
	}
	putter, ok := layout.(cas.VerifyingPutter)
	if !ok {
		layout.Close()
		return nil, fmt.Errorf("pull %s: the layout cannot verify blobs as it stores them", src.Name())
	}
	sctx, cancel := context.WithCancel(ctx)
	s := &Session{
		src: src, layout: layout, putter: putter, refname: refname, opts: opts,
		ctx: sctx, cancel: cancel, fetches: map[digest.Digest]*fetch{},
	}
	if err := s.start(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("pull %s: %w", src.Name(), err), s.Close())
	}
	return s, nil
}

// start resolves the image, stores its index (if any) and manifest, and
// queues its config and layers.
func (s *Session) start(ctx context.Context) error {
	top, err := s.src.Resolve(ctx)
	if err != nil {
		return err
	}
	if mediatype.IsIndex(top.MediaType) {
		raw, err := s.storeDocument(ctx, top)
		if err != nil {
			return err
		}
		var idx ispec.Index
		if err := json.Unmarshal(raw, &idx); err != nil {
			return fmt.Errorf("parse index %s: %w", top.Digest, err)
		}
		if top, err = casext.ChooseIndexEntry(&idx, top.MediaType, s.opts.Platform); err != nil {
			return err
		}
	}
	if !mediatype.IsManifest(top.MediaType) {
		return fmt.Errorf("%s is a %q, not an image manifest", top.Digest, top.MediaType)
	}
	raw, err := s.storeDocument(ctx, top)
	if err != nil {
		return err
	}
	var m ispec.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("parse manifest %s: %w", top.Digest, err)
	}
	s.entry = ispec.Descriptor{MediaType: top.MediaType, Digest: top.Digest, Size: top.Size, Platform: top.Platform,
		Annotations: map[string]string{ispec.AnnotationRefName: s.refname}}
	queue := append([]ispec.Descriptor{m.Config}, m.Layers...)
	s.mu.Lock()
	for _, d := range queue {
		if _, dup := s.fetches[d.Digest]; !dup && d.Data == nil {
			s.fetches[d.Digest] = &fetch{desc: d, done: make(chan struct{})}
		}
	}
	s.mu.Unlock()
	work := make(chan *fetch, len(queue))
	seen := map[digest.Digest]bool{}
	for _, d := range queue {
		if f := s.fetches[d.Digest]; f != nil && !seen[d.Digest] {
			seen[d.Digest] = true
			work <- f
		}
	}
	close(work)
	for range min(s.opts.Parallel, len(queue)) {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for f := range work {
				f.err = s.download(s.ctx, f.desc)
				close(f.done)
			}
		}()
	}
	return nil
}

// storeDocument reads a manifest or index from the source (size-capped,
// verified), stores it in the layout and returns its bytes.
func (s *Session) storeDocument(ctx context.Context, desc ispec.Descriptor) ([]byte, error) {
	raw, err := transport.ReadManifest(ctx, s.src, desc)
	if err != nil {
		return nil, err
	}
	if err := s.putter.PutBlobVerified(ctx, desc.Digest, desc.Size, bytesReader(raw)); err != nil {
		return nil, fmt.Errorf("store %s: %w", desc.Digest, err)
	}
	return raw, nil
}

// Engine is a read-only view of the layout holding the image under
// refname, whose reads of a blob still being downloaded wait for it.
func (s *Session) Engine() casext.Engine {
	return casext.NewEngine(&view{s: s})
}

// Path is the descriptor path of the image in Engine.
func (s *Session) Path() casext.DescriptorPath {
	return casext.DescriptorPath{Walk: []ispec.Descriptor{s.entry}}
}

// Commit waits for every download and tags the image in the layout.
func (s *Session) Commit(ctx context.Context) error {
	s.mu.Lock()
	all := make([]*fetch, 0, len(s.fetches))
	for _, f := range s.fetches {
		all = append(all, f)
	}
	s.mu.Unlock()
	for _, f := range all {
		if err := s.wait(ctx, f); err != nil {
			return err
		}
	}
	entry := s.entry
	entry.Annotations = maps.Clone(entry.Annotations)
	if err := casext.NewEngine(s.layout).UpdateReference(ctx, s.refname, entry); err != nil {
		return fmt.Errorf("tag %s: %w", s.refname, err)
	}
	return nil
}

// Close stops the downloads still running, waits for them and closes the
// layout. It does not close the source.
func (s *Session) Close() error {
	s.cancel()
	s.wg.Wait()
	return s.layout.Close()
}

// wait waits for f to end (or ctx to be done) and returns its error.
func (s *Session) wait(ctx context.Context, f *fetch) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// createLayout makes sure a layout exists at path: created when path does
// not exist, made inside an existing empty directory (which keeps its
// inode, owner and mode: a volume, a pre-created directory), left alone
// when it is a layout already (dir.Open then checks it).
func createLayout(ctx context.Context, path string) error {
	err := dir.Create(ctx, path)
	if err == nil || !errors.Is(err, fs.ErrExist) {
		return err
	}
	err = dir.CreateIn(ctx, path)
	if errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%s is not an image layout: %w", path, err)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}
