package mtreeutil

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"
	"github.com/vbatts/go-mtree/pkg/govis"
)

// WriteWalk writes the manifest of root to w: the same bytes as
// WriteManifest of Walk(ctx, root, opts), without holding the tree in
// memory. Directories are listed, their entries' keywords computed and
// their files' digests found a bounded distance ahead of the writer, in
// parallel (see lister); the writer emits them in go-mtree's order. Its
// memory does not grow with the size of the tree, only with the largest
// directories. Keyword sets the parallel scan cannot compute fall back to
// Walk.
func WriteWalk(ctx context.Context, root string, w io.Writer, opts WalkOptions) error {
	kws := opts.Keywords
	if kws == nil {
		kws = Keywords
	}
	fsEval := opts.FsEval
	if fsEval == nil {
		fsEval = mtree.DefaultFsEval{}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	walkKws := slices.DeleteFunc(slices.Clone(kws), func(k mtree.Keyword) bool { return k == hashKeyword })
	streamable := canScan(kws)
	for _, k := range mtree.SetKeywords {
		streamable = streamable && slices.Contains(walkKws, k)
	}
	fi, err := fsEval.Lstat(root)
	if err != nil {
		return fmt.Errorf("walk %s: %w", root, err)
	}
	if !streamable || !fi.IsDir() {
		dh, err := Walk(ctx, root, opts)
		if err != nil {
			return err
		}
		if _, err := dh.WriteTo(w); err != nil {
			return fmt.Errorf("write manifest: %w", err)
		}
		return nil
	}
	s := &streamer{
		ctx:     ctx,
		opts:    opts,
		walkKws: walkKws,
		hash:    len(walkKws) != len(kws),
		bw:      bufio.NewWriterSize(w, 256<<10),
		sc:      &scanner{ctx: ctx, fsEval: fsEval, kws: walkKws},
	}
	if s.hash {
		s.after = kws[slices.Index(kws, hashKeyword)+1:]
	}
	if err := s.header(root, fsEval, kws); err != nil {
		return fmt.Errorf("walk %s: %w", root, err)
	}
	s.ls = newLister(ctx, s.list)
	defer s.ls.close()
	top, err := s.sc.entry(".", root, fi)
	if err != nil {
		return fmt.Errorf("walk %s: %w", root, err)
	}
	if err := s.dir(&top, nil); err != nil {
		return fmt.Errorf("walk %s: %w", root, err)
	}
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// streamer writes a manifest entry by entry, as hierarchyBuilder and
// fillDigests build it.
type streamer struct {
	ctx     context.Context
	opts    WalkOptions
	walkKws []mtree.Keyword // without sha256digest
	hash    bool            // sha256digest is wanted
	after   []mtree.Keyword // keywords written after sha256digest
	bw      *bufio.Writer
	sc      *scanner
	ls      *lister
	curSet  *mtree.Entry
}

// header writes go-mtree's comment lines, naming every keyword (the walk
// of the other keywords does not know of sha256digest).
func (s *streamer) header(root string, fsEval mtree.FsEval, kws []mtree.Keyword) error {
	dh, err := hierarchyHeader(root, fsEval, s.walkKws)
	if err != nil {
		return err
	}
	prefix := fmt.Sprintf("#%16s", "keywords: ")
	for _, e := range dh.Entries {
		if e.Type == mtree.CommentType && strings.HasPrefix(e.Raw, prefix) {
			e.Raw = prefix + strings.Join(mtree.FromKeywords(kws), ",")
		}
		s.line(e)
	}
	return nil
}

func (s *streamer) line(e mtree.Entry) {
	s.bw.WriteString(e.String())
	s.bw.WriteByte('\n')
}

// dir writes the directory se (the root when parent is nil), its files,
// its subdirectories and the ".." closing it.
func (s *streamer) dir(se *scanEntry, parent *mtree.Entry) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	kids, err := s.ls.get(se.rel, se.path)
	if err != nil {
		return err
	}
	s.line(mtree.Entry{Type: mtree.BlankType})
	s.line(mtree.Entry{Type: mtree.CommentType, Raw: "# " + se.rel})
	s.setFor(se)
	e, err := s.entry(se, parent, ".")
	if err != nil {
		return err
	}
	var dirs []*scanEntry
	for i := range kids {
		k := &kids[i]
		if k.fi.IsDir() {
			dirs = append(dirs, k)
			continue
		}
		if _, err := s.entry(k, e, ""); err != nil {
			return err
		}
	}
	s.ls.want(dirs)
	for _, d := range dirs {
		if err := s.dir(d, e); err != nil {
			return err
		}
	}
	s.line(mtree.Entry{Name: "..", Type: mtree.DotDotType})
	return nil
}

// entry writes the line of se (named rootName when parent is nil).
func (s *streamer) entry(se *scanEntry, parent *mtree.Entry, rootName string) (*mtree.Entry, error) {
	name := se.fi.Name()
	if parent == nil {
		name = rootName
	}
	enc, err := govis.Vis(name, mtree.DefaultVisFlags)
	if err != nil {
		return nil, err
	}
	e := &mtree.Entry{Name: enc, Type: mtree.RelativeType, Set: s.curSet, Parent: parent}
	for _, kv := range se.raw {
		if !slices.Contains(s.curSet.Keywords, kv) {
			e.Keywords = append(e.Keywords, kv)
		}
	}
	if s.hash && se.fi.Mode().IsRegular() {
		e.Keywords = insertKeyVal(e.Keywords, mtree.KeyVal(string(hashKeyword)+"="+se.digest.Encoded()), s.after)
		if s.opts.Record != nil {
			s.opts.Record.record(se.rel, se.fi, se.digest)
		}
	}
	s.line(*e)
	return e, nil
}

// setFor writes a /set line before directory se's entry when go-mtree
// would (see hierarchyBuilder.setFor).
func (s *streamer) setFor(se *scanEntry) {
	b := &hierarchyBuilder{dh: &mtree.DirectoryHierarchy{}, kws: s.walkKws, curSet: s.curSet}
	b.setFor(se)
	if b.curSet != s.curSet {
		s.curSet = b.curSet
		s.line(*s.curSet)
	}
}

// list reads directory path (manifest path rel): its entries with their
// keyvals and, for regular files, digests, sorted as go-mtree's walk
// visits them (files, then directories, by name).
func (s *streamer) list(rel, path string) ([]scanEntry, error) {
	infos, err := s.sc.fsEval.Readdir(path)
	if err != nil {
		return nil, err
	}
	out := make([]scanEntry, 0, len(infos))
	for _, fi := range infos {
		crel, cpath := fi.Name(), path+string(os.PathSeparator)+fi.Name()
		if rel != "." {
			crel = rel + "/" + fi.Name()
		}
		e, err := s.sc.entry(crel, cpath, fi)
		if err != nil {
			return nil, err
		}
		if s.hash && fi.Mode().IsRegular() {
			if e.digest, err = s.digest(crel, cpath, fi); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b scanEntry) int {
		if da, db := a.fi.IsDir(), b.fi.IsDir(); da != db {
			if da {
				return 1
			}
			return -1
		}
		return strings.Compare(a.fi.Name(), b.fi.Name())
	})
	return out, nil
}

// digest returns the sha256 of a regular file: the one opts.Digest knows,
// or the file's content hashed.
func (s *streamer) digest(rel, path string, fi os.FileInfo) (digest.Digest, error) {
	if s.opts.Digest != nil {
		if d, ok := s.opts.Digest(rel, fi); ok && validSHA256(d) {
			return d, nil
		}
	}
	return hashFile(s.sc.fsEval, path)
}
