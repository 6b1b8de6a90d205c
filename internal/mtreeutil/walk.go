package mtreeutil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"
)

// WalkOptions tunes Walk.
type WalkOptions struct {
	// FsEval evaluates the filesystem; nil means mtree.DefaultFsEval.
	// Rootless callers pass the unprivileged evaluator.
	FsEval mtree.FsEval
	// Keywords to record; nil means Keywords (umoci's set).
	Keywords []mtree.Keyword
	// Digest, if set, is asked for the sha256 of each regular file before
	// it is hashed. path is relative to the walk root, cleaned, as in the
	// manifest ("etc/passwd"); fi is the file's lstat. Returning a sha256
	// digest and true skips reading the file.
	Digest func(path string, fi os.FileInfo) (digest.Digest, bool)
	// Record, if set, receives the stat and digest of every regular file,
	// to be saved for later Diff calls.
	Record *StatCache
}

// Walk builds the manifest of root exactly as umoci writes it (go-mtree's
// format, header comments and entry order) but computes sha256digest
// itself: known digests are reused and the rest are hashed in parallel.
func Walk(ctx context.Context, root string, opts WalkOptions) (*mtree.DirectoryHierarchy, error) {
	kws := opts.Keywords
	if kws == nil {
		kws = Keywords
	}
	fsEval := opts.FsEval
	if fsEval == nil {
		fsEval = mtree.DefaultFsEval{}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	walkKws := slices.DeleteFunc(slices.Clone(kws), func(k mtree.Keyword) bool { return k == hashKeyword })

	// go-mtree calls every exclude func with the lstat it already did:
	// keep them so nothing is stat'ed twice.
	infos := map[string]os.FileInfo{}
	record := func(path string, fi os.FileInfo) bool {
		infos[filepath.Clean(path)] = fi
		return false
	}
	dh, err := mtree.Walk(root, []mtree.ExcludeFunc{record}, walkKws, fsEval)
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", root, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, e := range dh.Entries {
		if e.Type == mtree.CommentType && strings.HasPrefix(e.Raw, fmt.Sprintf("#%16s", "keywords: ")) {
			dh.Entries[i].Raw = fmt.Sprintf("#%16s%s", "keywords: ", strings.Join(mtree.FromKeywords(kws), ","))
		}
	}
	if len(walkKws) == len(kws) {
		return dh, nil
	}
	if err := fillDigests(ctx, root, dh, kws, infos, fsEval, opts); err != nil {
		return nil, err
	}
	return dh, nil
}

// fillDigests adds sha256digest to every regular file entry, in the
// position go-mtree would have written it.
func fillDigests(ctx context.Context, root string, dh *mtree.DirectoryHierarchy, kws []mtree.Keyword,
	infos map[string]os.FileInfo, fsEval mtree.FsEval, opts WalkOptions) error {
	after := kws[slices.Index(kws, hashKeyword)+1:]
	var jobs []hashJob
	for i := range dh.Entries {
		e := &dh.Entries[i]
		if e.Type != mtree.RelativeType && e.Type != mtree.FullType {
			continue
		}
		rel, err := e.Path()
		if err != nil {
			return fmt.Errorf("walk %s: %w", root, err)
		}
		full := filepath.Join(root, rel)
		fi, ok := infos[full]
		if !ok {
			return fmt.Errorf("walk %s: no stat recorded for %q", root, rel)
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		job := hashJob{entry: i, rel: rel, path: full, fi: fi}
		if opts.Digest != nil {
			if d, ok := opts.Digest(rel, fi); ok && d.Algorithm() == digest.SHA256 && d.Validate() == nil {
				job.digest = d
			}
		}
		jobs = append(jobs, job)
	}
	if err := hashAll(ctx, fsEval, jobs); err != nil {
		return fmt.Errorf("walk %s: %w", root, err)
	}
	for _, j := range jobs {
		e := &dh.Entries[j.entry]
		e.Keywords = insertKeyVal(e.Keywords, mtree.KeyVal(string(hashKeyword)+"="+j.digest.Encoded()), after)
		if opts.Record != nil {
			opts.Record.record(j.rel, j.fi, j.digest)
		}
	}
	return nil
}

// insertKeyVal puts kv before the first keyval whose keyword comes after
// it in the keyword list.
func insertKeyVal(kvs []mtree.KeyVal, kv mtree.KeyVal, after []mtree.Keyword) []mtree.KeyVal {
	pos := slices.IndexFunc(kvs, func(k mtree.KeyVal) bool {
		return slices.Contains(after, k.Keyword().Prefix())
	})
	if pos < 0 {
		return append(kvs, kv)
	}
	return slices.Insert(kvs, pos, kv)
}
