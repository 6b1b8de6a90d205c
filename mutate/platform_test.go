package mutate

import (
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// commitMeta applies edit to the metadata of the image at the bottom of a
// nested layout, commits, and returns the platform of the manifest's entry
// in its parent index B.
func commitMeta(t *testing.T, edit func(*Meta)) *ispec.Platform {
	t.Helper()
	ctx := t.Context()
	e := backends[0].open(t)
	n := buildNested(t, e)
	m, err := New(e, n.path)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	cfg, err := m.Config(ctx)
	if err != nil {
		t.Fatalf("Config: %v", err)
	}
	meta, err := m.Meta(ctx)
	if err != nil {
		t.Fatalf("Meta: %v", err)
	}
	edit(&meta)
	if err := m.Set(ctx, cfg.Config, meta, nil, nil); err != nil {
		t.Fatalf("Set: %v", err)
	}
	path, err := m.Commit(ctx)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	var b ispec.Index
	readJSON(t, e, path.Walk[1], &b)
	got := b.Manifests[1]
	if got.Digest != path.Walk[2].Digest {
		t.Fatalf("B's entry %s is not the new manifest %s", got.Digest, path.Walk[2].Digest)
	}
	if (got.Platform == nil) != (path.Walk[2].Platform == nil) ||
		(got.Platform != nil && !platformEqual(got.Platform, path.Walk[2].Platform)) {
		t.Errorf("path target platform %+v differs from B's entry %+v", path.Walk[2].Platform, got.Platform)
	}
	return got.Platform
}

func TestCommitUpdatesIndexPlatformWhenConfigPlatformChanges(t *testing.T) {
	p := commitMeta(t, func(m *Meta) { m.Architecture, m.Variant = "s390x", "" })
	if p == nil || p.Architecture != "s390x" || p.Variant != "" {
		t.Errorf("entry platform = %+v, want the config's new architecture s390x without variant", p)
	}
}

func TestCommitKeepsIndexPlatformWhenConfigPlatformIsUnchanged(t *testing.T) {
	// Only the author changes: the entry keeps what it said (variant v8 and
	// os.features the config does not carry).
	p := commitMeta(t, func(m *Meta) { m.Author = "someone else" })
	if p == nil || p.Architecture != "arm64" || p.Variant != "v8" || len(p.OSFeatures) != 1 {
		t.Errorf("entry platform = %+v, want linux/arm64/v8 with its os.features", p)
	}
}
