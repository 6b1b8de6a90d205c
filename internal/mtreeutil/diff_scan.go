package mtreeutil

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"
)

// errScanFallback tells Diff to use go-mtree's walk: the parallel scan
// cannot promise the same keyword values for this tree or keyword set.
var errScanFallback = errors.New("parallel scan not applicable")

// scanEntry is one path of a scanned tree.
type scanEntry struct {
	rel  string // manifest path: "." or "etc/passwd"
	path string
	fi   os.FileInfo
	raw  []mtree.KeyVal // keyword function results, in keyword order
	kvs  []mtree.KeyVal // raw as Entry.AllKeys gives it (see mergeRaw)
	kids []int          // a directory's children, in go-mtree's order
	// same is set for a regular file the scan's skip function vouched for:
	// raw and kvs are then not computed (see scanTree).
	same bool
	// digest is a regular file's sha256 (WriteWalk only).
	digest digest.Digest
}

// canScan reports whether scanTree can stand in for Walk with kws: every
// keyword but sha256digest is computed from metadata alone.
func canScan(kws []mtree.Keyword) bool {
	for _, k := range kws {
		if k != hashKeyword && !slices.Contains(metadataKeywords, k) {
			return false
		}
	}
	return true
}

// scanner lists a tree with up to GOMAXPROCS directories in flight. The
// keyvals of an entry do not depend on the walk order (go-mtree's /set
// lines only factor them out), so directories are read in parallel.
type scanner struct {
	ctx    context.Context
	fsEval mtree.FsEval
	kws    []mtree.Keyword // without sha256digest
	skip   func(rel string, fi os.FileInfo) bool
	sem    chan struct{}
	wg     sync.WaitGroup

	mu      sync.Mutex
	entries []scanEntry
	kids    map[string][]int // directory rel -> indexes in entries
	err     error
}

// scanTree returns every path under root (root included, as ".", first)
// with its lstat and its keyvals for kws, except sha256digest; each
// directory lists its children, files then directories, by name.
//
// skip, when not nil, is asked about every regular file: when it returns
// true the entry is marked same and its keyvals are not computed (no
// keyword function runs and no xattr is listed for it).
func scanTree(ctx context.Context, root string, fsEval mtree.FsEval, kws []mtree.Keyword, skip func(rel string, fi os.FileInfo) bool) ([]scanEntry, error) {
	if !canScan(kws) {
		return nil, errScanFallback
	}
	s := &scanner{
		ctx:    ctx,
		fsEval: fsEval,
		kws:    slices.DeleteFunc(slices.Clone(kws), func(k mtree.Keyword) bool { return k == hashKeyword }),
		skip:   skip,
		sem:    make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
		kids:   map[string][]int{},
	}
	fi, err := fsEval.Lstat(root)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, errScanFallback
	}
	top, err := s.entry(".", root, fi)
	if err != nil {
		return nil, err
	}
	s.entries = append(s.entries, top)
	s.wg.Add(1)
	go s.dir(".", filepath.Clean(root))
	s.wg.Wait()
	if s.err != nil {
		return nil, s.err
	}
	for i := range s.entries {
		e := &s.entries[i]
		if e.fi.IsDir() {
			e.kids = s.kids[e.rel]
			slices.SortFunc(e.kids, func(a, b int) int {
				da, db := s.entries[a].fi.IsDir(), s.entries[b].fi.IsDir()
				if da != db {
					if da {
						return 1
					}
					return -1
				}
				return strings.Compare(s.entries[a].fi.Name(), s.entries[b].fi.Name())
			})
		}
	}
	return s.entries, nil
}

// dir lists one directory and starts the listing of its subdirectories.
func (s *scanner) dir(rel, path string) {
	defer s.wg.Done()
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if s.failed() {
		return
	}
	if err := s.ctx.Err(); err != nil {
		s.fail(err)
		return
	}
	infos, err := s.fsEval.Readdir(path)
	if err != nil {
		s.fail(err)
		return
	}
	out := make([]scanEntry, 0, len(infos))
	for _, fi := range infos {
		crel, cpath := fi.Name(), path+string(os.PathSeparator)+fi.Name()
		if rel != "." {
			crel = rel + "/" + fi.Name()
		}
		e, err := s.entry(crel, cpath, fi)
		if err != nil {
			s.fail(err)
			return
		}
		out = append(out, e)
		if fi.IsDir() {
			s.wg.Add(1)
			go s.dir(crel, cpath)
		}
	}
	s.mu.Lock()
	kids := make([]int, len(out))
	for i := range out {
		kids[i] = len(s.entries) + i
	}
	s.kids[rel] = kids
	s.entries = append(s.entries, out...)
	s.mu.Unlock()
}

// entry computes the keyvals of one path with the keyword functions
// go-mtree's Walk uses (raw) and, from them, the keyvals of its entry once
// the /set line is merged in (kvs).
func (s *scanner) entry(rel, path string, fi os.FileInfo) (scanEntry, error) {
	e := scanEntry{rel: rel, path: path, fi: fi}
	if s.skip != nil && fi.Mode().IsRegular() && s.skip(rel, fi) {
		e.same = true
		return e, nil
	}
	for _, kw := range s.kws {
		fn, ok := mtree.KeywordFuncs[kw.Prefix()]
		if !ok {
			return e, errScanFallback
		}
		kvs, err := s.fsEval.KeywordFunc(fn)(path, fi, nil)
		if err != nil {
			return e, err
		}
		for _, kv := range kvs {
			if kv != "" {
				e.raw = append(e.raw, kv)
			}
		}
	}
	kvs, err := mergeRaw(e.raw, s.kws)
	e.kvs = kvs
	return e, err
}

// mergeRaw returns what Entry.AllKeys gives for a walked entry whose
// keyword functions returned raw: raw itself (without repeats), plus the
// /set defaults for keywords that produced nothing. uid and gid must come
// out of every entry (they are what the /set lines carry); otherwise the
// scan gives up.
func mergeRaw(raw []mtree.KeyVal, kws []mtree.Keyword) ([]mtree.KeyVal, error) {
	var out []mtree.KeyVal
	for _, kv := range raw {
		if !slices.Contains(out, kv) {
			out = append(out, kv)
		}
	}
	for _, k := range mtree.SetKeywords {
		if !hasKeyword(out, string(k)) {
			return nil, errScanFallback
		}
	}
	for _, kw := range kws {
		if hasKeyword(out, string(kw)) {
			continue
		}
		for _, def := range defaultSetKeyVals {
			if k, _, _ := strings.Cut(string(def), "="); k == string(kw) {
				out = append(out, def)
			}
		}
	}
	return out, nil
}

// defaultSetKeyVals are the keyvals go-mtree's Walk puts in every /set
// line (for the keywords asked for).
var defaultSetKeyVals = []mtree.KeyVal{"type=file", "nlink=1", "flags=none", "mode=0664"}

func hasKeyword(kvs []mtree.KeyVal, kw string) bool {
	for _, kv := range kvs {
		if k, _, _ := strings.Cut(string(kv), "="); k == kw {
			return true
		}
	}
	return false
}

func (s *scanner) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

func (s *scanner) failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err != nil
}
