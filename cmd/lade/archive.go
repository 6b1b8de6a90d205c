package main

import (
	"context"
	"os"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/archive"
)

// openArchive opens the image archive at path. Every command opens it
// shared; the first write converts the lock to an exclusive one (waiting
// for other lade processes on the archive), and closing the engine rewrites
// the archive atomically if anything changed. Legacy docker-archive tars
// stay read-only. It has the signature of dir.Open so that openEngine can
// pick either.
func openArchive(ctx context.Context, path string) (cas.Engine, error) {
	return archive.Open(ctx, path)
}

// isArchive reports whether layout names an existing regular file (following
// symlinks): such a layout is read as an image archive, anything else as a
// layout directory (whose backend also reports a missing path).
func isArchive(layout string) bool {
	fi, err := os.Stat(layout)
	return err == nil && fi.Mode().IsRegular()
}
