package mtreeutil

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

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
	return diff(ctx, root, manifest, opts, diffScan)
}

// differ returns the manifest and the current tree, both without the
// entries that are the same in both (diffScan, or diffWalk).
type differ func(ctx context.Context, root string, manifest *mtree.DirectoryHierarchy, oldPaths []string,
	fsEval mtree.FsEval, lookup func(string, os.FileInfo) (digest.Digest, bool)) (*mtree.DirectoryHierarchy, *mtree.DirectoryHierarchy, error)

// diff is Diff with the given differ; go-mtree's walk (diffWalk) is used
// whenever the other one gives errScanFallback.
func diff(ctx context.Context, root string, manifest *mtree.DirectoryHierarchy, opts DiffOptions, differ differ) ([]mtree.InodeDelta, error) {
	if manifest == nil {
		return nil, fmt.Errorf("diff %s: nil manifest", root)
	}
	oldPaths, err := entryPaths(manifest)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", root, err)
	}
	known := manifestDigests(manifest, oldPaths)
	var lookup func(rel string, fi os.FileInfo) (digest.Digest, bool)
	if opts.Cache != nil {
		lookup = func(rel string, fi os.FileInfo) (digest.Digest, bool) {
			d, ok := opts.Cache.lookup(rel, fi)
			if !ok || known[rel] != d.Encoded() {
				return "", false
			}
			return d, true
		}
	}
	fsEval := opts.FsEval
	if fsEval == nil {
		fsEval = mtree.DefaultFsEval{}
	}
	oldDh, curDh, err := differ(ctx, root, manifest, oldPaths, fsEval, lookup)
	if errors.Is(err, errScanFallback) {
		oldDh, curDh, err = diffWalk(ctx, root, manifest, oldPaths, fsEval, lookup)
	}
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", root, err)
	}
	deltas, err := mtree.Compare(oldDh, curDh, Keywords)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", root, err)
	}
	SortDeltas(deltas)
	return deltas, nil
}

// diffWalk walks root with go-mtree and returns the manifest and the walk
// without the entries that are the same in both.
func diffWalk(ctx context.Context, root string, manifest *mtree.DirectoryHierarchy, oldPaths []string,
	fsEval mtree.FsEval, lookup func(string, os.FileInfo) (digest.Digest, bool)) (*mtree.DirectoryHierarchy, *mtree.DirectoryHierarchy, error) {
	state, visited, err := walk(ctx, root, WalkOptions{FsEval: fsEval, Keywords: Keywords, Digest: lookup})
	if err != nil {
		return nil, nil, err
	}
	curPaths := make([]string, len(state.Entries))
	n := 0
	for i, e := range state.Entries {
		if e.Type == mtree.RelativeType || e.Type == mtree.FullType {
			curPaths[i] = visited[n].rel
			n++
		}
	}
	// Unchanged entries (nearly all of them) are dropped before Compare,
	// which would otherwise rebuild every path from its parents.
	oldDh, curDh := pruneSame(manifest, state, oldPaths, curPaths)
	return oldDh, curDh, nil
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

// manifestDigests maps each entry path to its sha256digest value; paths
// are from entryPaths(dh).
func manifestDigests(dh *mtree.DirectoryHierarchy, paths []string) map[string]string {
	out := make(map[string]string, len(dh.Entries))
	for i := range dh.Entries {
		if paths[i] == "" {
			continue
		}
		if v, ok := keyValue(dh.Entries[i].Keywords, hashKeyword); ok {
			out[paths[i]] = v
		} else if set := dh.Entries[i].Set; set != nil {
			if v, ok := keyValue(set.Keywords, hashKeyword); ok {
				out[paths[i]] = v
			}
		}
	}
	return out
}

// keyValue returns the value of the first keyval for kw in kvs.
func keyValue(kvs []mtree.KeyVal, kw mtree.Keyword) (string, bool) {
	for _, kv := range kvs {
		if v, ok := strings.CutPrefix(string(kv), string(kw)+"="); ok {
			return v, true
		}
	}
	return "", false
}
