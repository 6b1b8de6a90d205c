package mtreeutil

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"
)

// DiffOptions tunes Diff.
type DiffOptions struct {
	// FsEval evaluates the filesystem; nil means mtree.DefaultFsEval.
	FsEval mtree.FsEval
	// Cache, when set, lets Diff reuse the manifest's digest of files
	// whose stat is unchanged since the cache was saved.
	Cache *StatCache
}

// Diff returns the same deltas as mtree.Check(root, manifest, Keywords,
// fsEval), sorted by path, but only re-hashes files the stat cache cannot
// vouch for, in parallel. A cached digest is used only when it also equals
// the manifest's digest for that path.
func Diff(ctx context.Context, root string, manifest *mtree.DirectoryHierarchy, opts DiffOptions) ([]mtree.InodeDelta, error) {
	if manifest == nil {
		return nil, fmt.Errorf("diff %s: nil manifest", root)
	}
	known, err := manifestDigests(manifest)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", root, err)
	}
	wopts := WalkOptions{FsEval: opts.FsEval, Keywords: Keywords}
	if opts.Cache != nil {
		wopts.Digest = func(rel string, fi os.FileInfo) (digest.Digest, bool) {
			d, ok := opts.Cache.lookup(rel, fi)
			if !ok || known[rel] != d.Encoded() {
				return "", false
			}
			return d, true
		}
	}
	state, err := Walk(ctx, root, wopts)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", root, err)
	}
	deltas, err := mtree.Compare(manifest, state, Keywords)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", root, err)
	}
	SortDeltas(deltas)
	return deltas, nil
}

// SortDeltas orders deltas by path (go-mtree returns them in map order).
//
// The keyword differences inside each delta are put in a fixed order too:
// go-mtree collects them from a map, so without this the first difference
// (the one InodeDelta.String prints) would change from run to run.
func SortDeltas(deltas []mtree.InodeDelta) {
	slices.SortFunc(deltas, func(a, b mtree.InodeDelta) int { return cmp.Compare(a.Path(), b.Path()) })
	for i := range deltas {
		if keys := deltas[i].DiffPtr(); keys != nil {
			slices.SortFunc(*keys, func(a, b mtree.KeyDelta) int {
				return cmp.Or(cmp.Compare(keywordRank(a.Name()), keywordRank(b.Name())), cmp.Compare(a.Name(), b.Name()))
			})
		}
	}
}

// keywordRank orders keywords as umoci's keyword list does; keywords not in
// it (and xattr.* keys, ranked with xattr) come after, by name.
func keywordRank(kw mtree.Keyword) int {
	name := kw.Prefix()
	for i, k := range Keywords {
		if k == name {
			return i
		}
	}
	return len(Keywords)
}

// manifestDigests maps each entry path to its sha256digest value.
func manifestDigests(dh *mtree.DirectoryHierarchy) (map[string]string, error) {
	out := map[string]string{}
	for _, e := range dh.Entries {
		if e.Type != mtree.RelativeType && e.Type != mtree.FullType {
			continue
		}
		kvs := mtree.HasKeyword(e.AllKeys(), hashKeyword)
		if len(kvs) == 0 {
			continue
		}
		p, err := e.Path()
		if err != nil {
			return nil, err
		}
		out[p] = kvs[0].Value()
	}
	return out, nil
}
