package mtreeutil

import (
	"os"
	"slices"

	"github.com/vbatts/go-mtree"
)

// metadataKeywords are the keywords whose go-mtree functions never read the
// io.Reader they are given: they use the lstat, readlink and xattr calls.
var metadataKeywords = []mtree.Keyword{
	"size", "type", "uid", "gid", "uname", "gname", "mode", "link", "nlink",
	"time", "tar_time", "xattr", "xattrs", "flags",
}

// noContentFsEval wraps the FsEval given to mtree.Walk when no walked
// keyword reads file contents. go-mtree opens every regular file once per
// keyword (nine opens per file for umoci's set) and hands the file to
// keyword functions that ignore it; Open here returns a nil file instead.
// go-mtree's deferred Close of that nil file returns os.ErrInvalid, which it
// ignores.
type noContentFsEval struct{ mtree.FsEval }

func (noContentFsEval) Open(string) (*os.File, error) { return nil, nil }

// walkFsEval returns the FsEval for mtree.Walk of kws: fsEval itself if
// any keyword may read contents, else fsEval without opens.
func walkFsEval(fsEval mtree.FsEval, kws []mtree.Keyword) mtree.FsEval {
	for _, k := range kws {
		if !slices.Contains(metadataKeywords, k.Prefix()) {
			return fsEval
		}
	}
	return noContentFsEval{fsEval}
}
