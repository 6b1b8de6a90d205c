package mtreeutil

import (
	"context"
	"os"
	"slices"

	"github.com/vbatts/go-mtree"
	"github.com/vbatts/go-mtree/pkg/govis"
)

// scanHierarchy builds, from a parallel scan of root, the hierarchy
// mtree.Walk(root, nil, kws, fsEval) builds (kws without sha256digest):
// the same entries in the same order, /set lines included, so that the
// written manifest is byte-identical. It returns errScanFallback when the
// scan cannot promise that (see canScan and mergeRaw).
func scanHierarchy(ctx context.Context, root string, fsEval mtree.FsEval, kws []mtree.Keyword) (*mtree.DirectoryHierarchy, []visit, error) {
	for _, k := range mtree.SetKeywords {
		if !slices.Contains(kws, k) {
			return nil, nil, errScanFallback
		}
	}
	entries, err := scanTree(ctx, root, fsEval, kws, nil)
	if err != nil {
		return nil, nil, err
	}
	dh, err := hierarchyHeader(root, fsEval, kws)
	if err != nil {
		return nil, nil, err
	}
	b := &hierarchyBuilder{dh: dh, kws: kws, entries: entries, visits: make([]visit, 0, len(entries))}
	if err := b.add(0, nil); err != nil {
		return nil, nil, err
	}
	return b.dh, b.visits, nil
}

// hierarchyHeader returns the comment lines go-mtree's Walk starts with
// (signature and keywords), from a walk of root that lists no directory.
func hierarchyHeader(root string, fsEval mtree.FsEval, kws []mtree.Keyword) (*mtree.DirectoryHierarchy, error) {
	skip := func(string, os.FileInfo) bool { return true }
	dh, err := mtree.Walk(root, []mtree.ExcludeFunc{skip}, kws, noListFsEval{fsEval})
	if err != nil {
		return nil, err
	}
	// What follows the comments is the ".." closing the root.
	n := slices.IndexFunc(dh.Entries, func(e mtree.Entry) bool {
		return e.Type != mtree.CommentType && e.Type != mtree.SignatureType && e.Type != mtree.BlankType
	})
	if n >= 0 {
		dh.Entries = dh.Entries[:n]
	}
	return dh, nil
}

// noListFsEval lists every directory as empty.
type noListFsEval struct{ mtree.FsEval }

func (noListFsEval) Readdir(string) ([]os.FileInfo, error) { return nil, nil }

// hierarchyBuilder appends entries as go-mtree's Walk does.
type hierarchyBuilder struct {
	dh      *mtree.DirectoryHierarchy
	kws     []mtree.Keyword
	entries []scanEntry
	curSet  *mtree.Entry
	visits  []visit
}

func (b *hierarchyBuilder) push(e mtree.Entry) {
	e.Pos = len(b.dh.Entries)
	b.dh.Entries = append(b.dh.Entries, e)
}

// add appends the entry of entries[i] (a child of parent, nil for the
// root) and, for a directory, its subtree followed by "..".
func (b *hierarchyBuilder) add(i int, parent *mtree.Entry) error {
	se := &b.entries[i]
	name := se.fi.Name()
	if parent == nil {
		name = "."
	}
	if se.fi.IsDir() {
		b.push(mtree.Entry{Type: mtree.BlankType})
		b.push(mtree.Entry{Type: mtree.CommentType, Raw: "# " + se.rel})
		b.setFor(se)
	}
	enc, err := govis.Vis(name, mtree.DefaultVisFlags)
	if err != nil {
		return err
	}
	e := &mtree.Entry{Name: enc, Type: mtree.RelativeType, Set: b.curSet, Parent: parent, Pos: len(b.dh.Entries)}
	for _, kv := range se.raw {
		if !slices.Contains(b.curSet.Keywords, kv) {
			e.Keywords = append(e.Keywords, kv)
		}
	}
	b.dh.Entries = append(b.dh.Entries, *e)
	b.visits = append(b.visits, visit{path: se.path, rel: se.rel, fi: se.fi})
	if !se.fi.IsDir() {
		return nil
	}
	for _, k := range se.kids {
		if err := b.add(k, e); err != nil {
			return err
		}
	}
	b.push(mtree.Entry{Name: "..", Type: mtree.DotDotType})
	return nil
}

// setFor appends a /set line before directory se's entry when go-mtree
// would: for the first directory (the defaults and its uid and gid), and
// whenever a directory's uid or gid is not in the current /set.
func (b *hierarchyBuilder) setFor(se *scanEntry) {
	var ids []mtree.KeyVal
	for _, k := range mtree.SetKeywords {
		for _, kv := range se.raw {
			if kvKeyword(kv) == string(k) {
				ids = append(ids, kv)
			}
		}
	}
	var kvs []mtree.KeyVal
	if b.curSet == nil {
		kvs = append(selectKeyVals(defaultSetKeyVals, b.kws), ids...)
	} else {
		fresh := false
		for _, kv := range ids {
			if !slices.Contains(b.curSet.Keywords, kv) {
				fresh = true
			}
		}
		if !fresh {
			return
		}
		kvs = selectKeyVals(append(slices.Clone(defaultSetKeyVals), ids...), b.kws)
	}
	set := &mtree.Entry{Name: "/set", Type: mtree.SpecialType, Pos: len(b.dh.Entries), Keywords: kvs}
	b.dh.Entries = append(b.dh.Entries, *set)
	b.curSet = set
}

// selectKeyVals keeps the keyvals whose keyword is one of kws.
func selectKeyVals(kvs []mtree.KeyVal, kws []mtree.Keyword) []mtree.KeyVal {
	prefixes := make([]mtree.Keyword, len(kws))
	for i, k := range kws {
		prefixes[i] = k.Prefix()
	}
	out := []mtree.KeyVal{}
	for _, kv := range kvs {
		if slices.Contains(prefixes, kv.Keyword().Prefix()) {
			out = append(out, kv)
		}
	}
	return out
}
