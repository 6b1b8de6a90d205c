package mtreeutil

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vbatts/go-mtree"
)

// Keywords is the fixed keyword set umoci uses for bundle manifests
// (umoci-behaviour.md §3.6), in the order written to the header.
var Keywords = []mtree.Keyword{
	"size", "type", "uid", "gid", "mode", "link", "nlink", "tar_time", "sha256digest", "xattr",
}

// hashKeyword is the keyword Walk computes itself, in parallel.
const hashKeyword mtree.Keyword = "sha256digest"

// ParseKeywords splits comma or space separated keyword lists (as given to
// -k/-K), maps gomtree synonyms to canonical names ("sha256" →
// "sha256digest", "xattrs" → "xattr") and rejects unknown keywords.
func ParseKeywords(lists ...string) ([]mtree.Keyword, error) {
	var out []mtree.Keyword
	for _, list := range lists {
		fields := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		for _, f := range fields {
			kw := mtree.KeywordSynonym(f)
			if _, ok := mtree.KeywordFuncs[kw.Prefix()]; !ok {
				return nil, fmt.Errorf("parse keywords: unknown keyword %q", f)
			}
			if !slices.Contains(out, kw) {
				out = append(out, kw)
			}
		}
	}
	return out, nil
}
