package mtreeutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"
	"github.com/vbatts/go-mtree/pkg/govis"
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
	// to be saved for later Diff calls: a *StatCache, or a
	// *StatCacheWriter that writes them out as they come.
	Record Recorder
}

// Recorder receives the stat and digest of the regular files of a walk, in
// walk order, from one goroutine at a time.
type Recorder interface {
	record(rel string, fi os.FileInfo, d digest.Digest)
}

// Walk builds the manifest of root exactly as umoci writes it (go-mtree's
// format, header comments and entry order) but computes sha256digest
// itself: known digests are reused and the rest are hashed in parallel.
func Walk(ctx context.Context, root string, opts WalkOptions) (*mtree.DirectoryHierarchy, error) {
	dh, _, err := walk(ctx, root, opts)
	return dh, err
}

// walk is Walk that also returns one visit per file entry of the result
// (RelativeType, FullType), in entry order.
func walk(ctx context.Context, root string, opts WalkOptions) (*mtree.DirectoryHierarchy, []visit, error) {
	kws := opts.Keywords
	if kws == nil {
		kws = Keywords
	}
	fsEval := opts.FsEval
	if fsEval == nil {
		fsEval = mtree.DefaultFsEval{}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	// The root must be a directory itself: a symlink would be walked as a
	// lone link (go-mtree then returns no hierarchy), never followed.
	fi, err := fsEval.Lstat(root)
	if err != nil {
		return nil, nil, fmt.Errorf("walk %s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, nil, fmt.Errorf("walk %s: root is a %s, not a directory", root, fileKind(fi.Mode()))
	}
	walkKws := slices.DeleteFunc(slices.Clone(kws), func(k mtree.Keyword) bool { return k == hashKeyword })

	dh, visited, err := scanHierarchy(ctx, root, fsEval, walkKws)
	if errors.Is(err, errScanFallback) {
		dh, visited, err = goMtreeWalk(root, fsEval, walkKws)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("walk %s: %w", root, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	for i, e := range dh.Entries {
		if e.Type == mtree.CommentType && strings.HasPrefix(e.Raw, fmt.Sprintf("#%16s", "keywords: ")) {
			dh.Entries[i].Raw = fmt.Sprintf("#%16s%s", "keywords: ", strings.Join(mtree.FromKeywords(kws), ","))
		}
	}
	if err := checkVisits(root, dh, visited); err != nil {
		return nil, nil, err
	}
	if len(walkKws) == len(kws) {
		return dh, visited, nil
	}
	if err := fillDigests(ctx, root, dh, kws, visited, fsEval, opts); err != nil {
		return nil, nil, err
	}
	return dh, visited, nil
}

// fileKind names the type of a non-directory for errors.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeSymlink != 0:
		return "symlink"
	case m.IsRegular():
		return "regular file"
	default:
		return "special file"
	}
}

// goMtreeWalk is mtree.Walk, recording the visits.
func goMtreeWalk(root string, fsEval mtree.FsEval, walkKws []mtree.Keyword) (*mtree.DirectoryHierarchy, []visit, error) {
	// go-mtree calls every exclude func with the lstat it already did, in
	// the order it appends the entries: keep them so nothing is stat'ed
	// twice and paths need not be rebuilt from the entry tree.
	var visited []visit
	prefix := filepath.Clean(root) + string(filepath.Separator)
	if prefix == "//" {
		prefix = "/"
	}
	record := func(path string, fi os.FileInfo) bool {
		// The first path is root as given, the others filepath.Join of
		// root and names read from directories (so clean).
		rel := "."
		if len(visited) > 0 {
			var ok bool
			if rel, ok = strings.CutPrefix(path, prefix); !ok {
				rel = path // not reached: caught by checkVisits
			}
		}
		visited = append(visited, visit{path: path, rel: rel, fi: fi})
		return false
	}
	dh, err := mtree.Walk(root, []mtree.ExcludeFunc{record}, walkKws, walkFsEval(fsEval, walkKws))
	if err != nil {
		return nil, nil, err
	}
	return dh, visited, nil
}

// checkVisits makes sure visited pairs up with the file entries of dh:
// each entry's name is its visit's encoded base name.
func checkVisits(root string, dh *mtree.DirectoryHierarchy, visited []visit) error {
	n := 0
	for i := range dh.Entries {
		e := &dh.Entries[i]
		if e.Type != mtree.RelativeType && e.Type != mtree.FullType {
			continue
		}
		if n >= len(visited) {
			return fmt.Errorf("walk %s: more entries than visited paths", root)
		}
		v := visited[n]
		n++
		if want, err := govis.Vis(filepath.Base(v.rel), mtree.DefaultVisFlags); err != nil || want != e.Name ||
			filepath.Clean(v.rel) != v.rel || filepath.IsAbs(v.rel) {
			return fmt.Errorf("walk %s: entry %q does not match walked path %q", root, e.Name, v.rel)
		}
	}
	if n != len(visited) {
		return fmt.Errorf("walk %s: %d entries for %d visited paths", root, n, len(visited))
	}
	return nil
}

// visit is one path go-mtree's walk reported, with its lstat and its
// manifest path ("etc/passwd", "." for the root, as Entry.Path gives it).
type visit struct {
	path string
	rel  string
	fi   os.FileInfo
}

// fillDigests adds sha256digest to every regular file entry, in the
// position go-mtree would have written it. visited holds one visit per
// file entry of dh (RelativeType, FullType), in entry order.
func fillDigests(ctx context.Context, root string, dh *mtree.DirectoryHierarchy, kws []mtree.Keyword,
	visited []visit, fsEval mtree.FsEval, opts WalkOptions) error {
	after := kws[slices.Index(kws, hashKeyword)+1:]
	var jobs []hashJob
	n := 0
	for i := range dh.Entries {
		e := &dh.Entries[i]
		if e.Type != mtree.RelativeType && e.Type != mtree.FullType {
			continue
		}
		v := visited[n]
		n++
		if !v.fi.Mode().IsRegular() {
			continue
		}
		job := hashJob{entry: i, rel: v.rel, path: v.path, fi: v.fi}
		if opts.Digest != nil {
			if d, ok := opts.Digest(v.rel, v.fi); ok && validSHA256(d) {
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
