package layer

import (
	"time"

	"github.com/lade-oci/lade/internal/fseval"
)

// RepackOptions controls layer generation (repack and insert). The zero
// value (or a nil pointer) means identity owner mapping, not rootless, no
// timestamp clamping.
type RepackOptions struct {
	// MapOptions maps host owners back to container owners; in rootless
	// mode owners are 0:0 unless the user.rootlesscontainers xattr says
	// otherwise.
	MapOptions MapOptions
	// SourceDateEpoch, when set, clamps header times newer than it
	// (GNU tar --clamp-mtime semantics); older times are kept.
	SourceDateEpoch *time.Time
	// FsEval reads the tree; nil means fseval.NewIn(tree,
	// MapOptions.Rootless), where tree is the root (repack) or the source
	// (insert): rootless access grants never reach above it.
	FsEval fseval.FsEval
}

// generateDefaults returns a filled-in copy of opts for reading the tree at
// root.
func generateDefaults(opts *RepackOptions, root string) RepackOptions {
	var o RepackOptions
	if opts != nil {
		o = *opts
	}
	if o.FsEval == nil {
		o.FsEval = fseval.NewIn(root, o.MapOptions.Rootless)
	}
	return o
}
