package mtreeutil

import (
	"context"
	"os"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"
	"github.com/vbatts/go-mtree/pkg/govis"
)

// entryPaths returns the path (as Entry.Path gives it) of every file entry
// of dh (RelativeType, FullType), indexed like dh.Entries ("" for other
// entries). Parent paths are computed once, not once per child.
func entryPaths(dh *mtree.DirectoryHierarchy) ([]string, error) {
	paths := make([]string, len(dh.Entries))
	memo := map[*mtree.Entry]string{}
	var pathOf func(e *mtree.Entry) (string, error)
	pathOf = func(e *mtree.Entry) (string, error) {
		if p, ok := memo[e]; ok {
			return p, nil
		}
		var p string
		name, err := govis.Unvis(e.Name, mtree.DefaultVisFlags)
		if err != nil {
			return "", err
		}
		if e.Parent == nil || e.Type == mtree.FullType {
			p = mtree.CleanPath(name)
		} else {
			parent, err := pathOf(e.Parent)
			if err != nil {
				return "", err
			}
			p = joinClean(parent, name)
		}
		memo[e] = p
		return p, nil
	}
	for i := range dh.Entries {
		e := &dh.Entries[i]
		if e.Type != mtree.RelativeType && e.Type != mtree.FullType {
			continue
		}
		var err error
		if e.Parent == nil || e.Type == mtree.FullType {
			paths[i], err = pathOf(e)
		} else {
			var parent, name string
			if parent, err = pathOf(e.Parent); err == nil {
				if name, err = govis.Unvis(e.Name, mtree.DefaultVisFlags); err == nil {
					paths[i] = joinClean(parent, name)
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// joinClean is mtree.CleanPath(filepath.Join(parent, name)) without the
// work when name is a plain file name.
func joinClean(parent, name string) string {
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return mtree.CleanPath(parent + "/" + name)
	}
	if parent == "." {
		return name
	}
	return parent + "/" + name
}

// pruneSame returns copies of old and cur holding only the file entries
// that mtree.Compare could report: an entry whose path is in both with
// exactly the same keyword values (after /set merging) is dropped from
// both. Dropped entries stay reachable as Parent of the kept ones, so
// Entry.Path is unchanged. oldPaths and curPaths are from entryPaths.
func pruneSame(old, cur *mtree.DirectoryHierarchy, oldPaths, curPaths []string) (*mtree.DirectoryHierarchy, *mtree.DirectoryHierarchy) {
	curIndex := make(map[string]int, len(cur.Entries))
	for i, p := range curPaths {
		if p != "" {
			curIndex[p] = i
		}
	}
	same := make(map[string]bool, len(curIndex))
	for i, p := range oldPaths {
		if p == "" {
			continue
		}
		j, ok := curIndex[p]
		if ok && sameKeys(&old.Entries[i], &cur.Entries[j]) {
			same[p] = true
		}
	}
	keep := func(dh *mtree.DirectoryHierarchy, paths []string) *mtree.DirectoryHierarchy {
		out := &mtree.DirectoryHierarchy{}
		for i, p := range paths {
			if p != "" && !same[p] {
				out.Entries = append(out.Entries, dh.Entries[i])
			}
		}
		return out
	}
	return keep(old, oldPaths), keep(cur, curPaths)
}

// sameKeys reports whether a and b have the same merged keyword values.
// Entries with a "time" keyword are never the same here: Compare converts
// time to tar_time asymmetrically, so it must decide.
func sameKeys(a, b *mtree.Entry) bool {
	ka, kb := mergedKeys(a), mergedKeys(b)
	if ka == nil || kb == nil || len(ka) != len(kb) {
		return false
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// mergedKeys is e.AllKeys() (mtree.MergeKeyValSet) as strings, or nil
// when Compare's view of them could differ from plain string equality: a
// "time" keyword, a repeated or unnamed keyword, surrounding spaces.
func mergedKeys(e *mtree.Entry) []string {
	var set []mtree.KeyVal
	if e.Set != nil {
		set = e.Set.Keywords
	}
	out := make([]string, 0, len(set)+len(e.Keywords))
	// Keywords are few per entry: linear scans beat maps here.
	for i, kv := range set {
		k := kvKeyword(kv)
		if k == "" || k == "time" || indexKeyword(set[:i], k) >= 0 {
			return nil
		}
		v := string(kv)
		if j := indexKeyword(e.Keywords, k); j >= 0 {
			v = string(e.Keywords[j])
		}
		out = append(out, v)
	}
	for i, kv := range e.Keywords {
		k := kvKeyword(kv)
		if k == "" || k == "time" || indexKeyword(e.Keywords[:i], k) >= 0 {
			return nil
		}
		if indexKeyword(set, k) < 0 {
			out = append(out, string(kv))
		}
	}
	return out
}

// kvKeyword is kv's keyword, or "" if kv has none or is not trimmed.
func kvKeyword(kv mtree.KeyVal) string {
	k, _, ok := strings.Cut(string(kv), "=")
	if !ok || k == "" || strings.TrimSpace(string(kv)) != string(kv) {
		return ""
	}
	return k
}

// indexKeyword returns the index of the first keyval for keyword k.
func indexKeyword(kvs []mtree.KeyVal, k string) int {
	for i, kv := range kvs {
		if len(kv) > len(k) && kv[len(k)] == '=' && string(kv[:len(k)]) == k {
			return i
		}
	}
	return -1
}

// diffScan is diffWalk with scanTree: the tree is listed in parallel and
// only entries that differ from the manifest become (FullType) entries of
// the returned state; digests come from lookup or are hashed in parallel.
//
// A regular file that lookup vouches for is the same as its manifest entry
// without computing any keyword: lookup trusts a file only while its
// inode, size, mtime and ctime are those recorded when the manifest was
// written, and every change the keywords can see (content, mode, owner,
// link count, xattrs, times) sets ctime. lookup also requires the
// manifest's digest for that path to be the cached one, so the manifest
// entry exists.
func diffScan(ctx context.Context, root string, manifest *mtree.DirectoryHierarchy, oldPaths []string,
	fsEval mtree.FsEval, lookup func(string, os.FileInfo) (digest.Digest, bool)) (*mtree.DirectoryHierarchy, *mtree.DirectoryHierarchy, error) {
	var skip func(string, os.FileInfo) bool
	if lookup != nil {
		skip = func(rel string, fi os.FileInfo) bool {
			d, ok := lookup(rel, fi)
			return ok && validSHA256(d)
		}
	}
	entries, err := scanTree(ctx, root, fsEval, Keywords, skip)
	if err != nil {
		return nil, nil, err
	}
	var jobs []hashJob
	for i := range entries {
		e := &entries[i]
		if !e.fi.Mode().IsRegular() || e.same {
			continue
		}
		job := hashJob{entry: i, rel: e.rel, path: e.path, fi: e.fi}
		if lookup != nil {
			if d, ok := lookup(e.rel, e.fi); ok && validSHA256(d) {
				job.digest = d
			}
		}
		jobs = append(jobs, job)
	}
	if err := hashAll(ctx, fsEval, jobs); err != nil {
		return nil, nil, err
	}
	for _, j := range jobs {
		e := &entries[j.entry]
		e.kvs = append(e.kvs, mtree.KeyVal(string(hashKeyword)+"="+j.digest.Encoded()))
	}

	index := make(map[string]int, len(entries))
	for i, e := range entries {
		index[e.rel] = i
	}
	sameCur := make([]bool, len(entries))
	oldDh := &mtree.DirectoryHierarchy{}
	for i, p := range oldPaths {
		if p == "" {
			continue
		}
		if j, ok := index[p]; ok && (entries[j].same || sameKeyVals(&manifest.Entries[i], entries[j].kvs)) {
			sameCur[j] = true
			continue
		}
		oldDh.Entries = append(oldDh.Entries, manifest.Entries[i])
	}
	curDh := &mtree.DirectoryHierarchy{}
	for i, e := range entries {
		if sameCur[i] {
			continue
		}
		if e.same {
			// Vouched for but not in the manifest: lookup promised
			// otherwise. Let go-mtree's walk decide.
			return nil, nil, errScanFallback
		}
		name, err := govis.Vis(e.rel, mtree.DefaultVisFlags)
		if err != nil {
			return nil, nil, err
		}
		curDh.Entries = append(curDh.Entries, mtree.Entry{Name: name, Type: mtree.FullType, Keywords: e.kvs, Pos: i})
	}
	return oldDh, curDh, nil
}

// sameKeyVals reports whether the manifest entry a has exactly the keyvals
// kvs (after /set merging).
func sameKeyVals(a *mtree.Entry, kvs []mtree.KeyVal) bool {
	ka := mergedKeys(a)
	if ka == nil || len(ka) != len(kvs) {
		return false
	}
	kb := make([]string, len(kvs))
	for i, kv := range kvs {
		kb[i] = string(kv)
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}
