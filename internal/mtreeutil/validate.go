package mtreeutil

import (
	"context"
	"fmt"
	"slices"

	"github.com/lade-oci/lade/internal/fseval"
	"github.com/vbatts/go-mtree"
)

// ValidateKeywords selects the keywords of `raw mtree-validate`
// (umoci-behaviour.md §2.18).
type ValidateKeywords struct {
	// Use (-k/--use-keywords) replaces the keyword set. Each element may
	// hold several comma or space separated keywords; synonyms accepted.
	Use []string
	// Umoci (--umoci-keywords) uses umoci's set when Use is empty.
	Umoci bool
	// Add (-K/--add-keywords) adds keywords to the chosen set.
	Add []string
	// FsEval evaluates the filesystem (--rootless); nil is the default. A
	// rootless evaluator without a root (fseval.Rootless) is bound to the
	// validated tree, so its access grants never reach above it.
	FsEval mtree.FsEval
}

// Keywords resolves the keyword set against the manifest: Use if given,
// else umoci's set with Umoci, else the manifest's own keywords; plus Add;
// "type" is always included.
func (kw ValidateKeywords) Keywords(manifest *mtree.DirectoryHierarchy) ([]mtree.Keyword, error) {
	use, err := ParseKeywords(kw.Use...)
	if err != nil {
		return nil, err
	}
	add, err := ParseKeywords(kw.Add...)
	if err != nil {
		return nil, err
	}
	var set []mtree.Keyword
	switch {
	case len(use) > 0:
		set = use
	case kw.Umoci:
		set = slices.Clone(Keywords)
	default:
		set = manifest.UsedKeywords()
	}
	for _, k := range append(add, "type") {
		if !slices.Contains(set, k) {
			set = append(set, k)
		}
	}
	return set, nil
}

// Validate checks root against the manifest at manifestPath and returns
// the deltas (sorted by path) that mtree.Check would, hashing in parallel.
func Validate(ctx context.Context, root string, manifestPath string, kw ValidateKeywords) ([]mtree.InodeDelta, error) {
	manifest, err := ReadManifest(ctx, manifestPath)
	if err != nil {
		return nil, err
	}
	kws, err := kw.Keywords(manifest)
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", root, err)
	}
	state, err := Walk(ctx, root, WalkOptions{FsEval: fseval.Bind(kw.FsEval, root), Keywords: kws})
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", root, err)
	}
	deltas, err := mtree.Compare(manifest, state, kws)
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", root, err)
	}
	SortDeltas(deltas)
	return deltas, nil
}
