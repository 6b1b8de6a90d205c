package localfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/lade-oci/lade/internal/hardening"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Stage is a private temporary directory holding verified blobs until a
// transport assembles its result from them. It is safe for concurrent use.
type Stage struct {
	dir  string
	lock *os.File // the directory, flocked while the stage lives
	sync bool

	mu   sync.Mutex
	have map[string]int64 // file name -> size, for every file stored
}

// NewStage creates a stage directory in parent, named after base (see
// TempName). With sync set, every file is fsynced before it is renamed into
// place (for a stage that becomes the result, as dir: does); without it the
// files are scratch data that the caller copies into an fsynced result.
//
// Stale stages of killed processes next to base are removed first (see
// CleanStale).
func NewStage(parent, base string, sync bool) (*Stage, error) {
	return newStage(parent, base, sync)
}

// NewStageIn creates a stage directory inside directory dir, named
// ".lade-tmp-stage-*" (a destination writes into dir: its files are
// renamed out of the stage, see dirimage). Stale stages of killed
// processes in dir are removed first.
func NewStageIn(dir string, sync bool) (*Stage, error) {
	return newStage(dir, filepath.Join(dir, stageBase), sync)
}

// CleanStaleStages removes the stages in directory dir that killed
// processes left (see NewStageIn and CleanStale).
func CleanStaleStages(dir string) { CleanStale(filepath.Join(dir, stageBase)) }

// IsStageName reports whether name is (the prefix of) the name of a stage
// NewStageIn creates, live or stale.
func IsStageName(name string) bool { return strings.HasPrefix(name, TempName(stageBase)) }

// stageBase makes TempName give the prefix of the stages in a destination
// directory: ".lade-tmp-stage-".
const stageBase = "stage"

func newStage(parent, base string, sync bool) (*Stage, error) {
	CleanStale(filepath.Join(parent, filepath.Base(base)))
	lock, err := createLocked(parent, TempName(base), true)
	if err != nil {
		return nil, fmt.Errorf("create staging directory: %w", err)
	}
	return &Stage{dir: lock.Name(), lock: lock, sync: sync, have: map[string]int64{}}, nil
}

// Dir returns the stage directory.
func (s *Stage) Dir() string { return s.dir }

// Path returns the path of file name in the stage.
func (s *Stage) Path(name string) string { return filepath.Join(s.dir, name) }

// Has reports whether file name was stored with size bytes.
func (s *Stage) Has(name string, size int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	got, ok := s.have[name]
	return ok && got == size
}

// Put stores the content of r as file name, checking it against desc's
// digest and size while it is written: content that does not match fails
// with an error matching cas.ErrDigestMismatch, and nothing is stored.
// name must be a plain file name (the caller derives it from a validated
// digest).
func (s *Stage) Put(ctx context.Context, name string, desc ispec.Descriptor, r io.Reader) (err error) {
	if err := desc.Digest.Validate(); err != nil {
		return fmt.Errorf("stage blob %q: invalid digest: %w", desc.Digest, err)
	}
	if name == "" || name != filepath.Base(name) || name[0] == '.' {
		return fmt.Errorf("stage blob %s: invalid file name %q", desc.Digest, name)
	}
	if s.Has(name, desc.Size) {
		return nil
	}
	tmp, err := os.CreateTemp(s.dir, ".put-*")
	if err != nil {
		return fmt.Errorf("stage blob %s: %w", desc.Digest, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	vr := hardening.NewVerifiedReader(io.NopCloser(ctxReader{ctx, r}), desc.Digest, desc.Size)
	if _, err := io.Copy(tmp, vr); err != nil {
		return fmt.Errorf("stage blob %s: %w", desc.Digest, err)
	}
	if err := vr.Close(); err != nil {
		return fmt.Errorf("stage blob %s: %w", desc.Digest, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("stage blob %s: %w", desc.Digest, err)
	}
	if s.sync {
		if err := tmp.Sync(); err != nil {
			return fmt.Errorf("stage blob %s: %w", desc.Digest, err)
		}
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("stage blob %s: %w", desc.Digest, err)
	}
	if err := os.Rename(tmp.Name(), s.Path(name)); err != nil {
		return fmt.Errorf("stage blob %s: %w", desc.Digest, err)
	}
	s.mu.Lock()
	s.have[name] = desc.Size
	s.mu.Unlock()
	return nil
}

// PutBytes is Put of raw.
func (s *Stage) PutBytes(ctx context.Context, name string, desc ispec.Descriptor, raw []byte) error {
	return s.Put(ctx, name, desc, bytes.NewReader(raw))
}

// Names returns the names of the stored files, sorted.
func (s *Stage) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.have))
	for n := range s.have {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Size returns the total size of the stored files.
func (s *Stage) Size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, size := range s.have {
		n += size
	}
	return n
}

// Open opens the stored file name.
func (s *Stage) Open(name string) (*os.File, error) {
	f, err := os.Open(s.Path(name))
	if err != nil {
		return nil, fmt.Errorf("open staged %s: %w", name, err)
	}
	return f, nil
}

// Remove deletes the stage directory and everything in it. It is
// idempotent.
func (s *Stage) Remove() error {
	err := os.RemoveAll(s.dir)
	s.mu.Lock()
	if s.lock != nil {
		_ = s.lock.Close()
		s.lock = nil
	}
	s.mu.Unlock()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove staging directory: %w", err)
	}
	return nil
}

// Release closes the stage's lock without removing the directory, once
// it has been renamed to be the result (dir:).
func (s *Stage) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lock != nil {
		_ = s.lock.Close()
		s.lock = nil
	}
}

// ctxReader stops a copy once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
