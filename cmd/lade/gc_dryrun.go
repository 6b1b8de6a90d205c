package main

import (
	"bufio"
	"fmt"
	"log/slog"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/urfave/cli/v2"
)

// gcDryRun prints the digest of every blob gc would delete, one per line.
func gcDryRun(c *cli.Context, engine casext.Engine) error {
	blobs, stats, err := engine.GCDryRun(c.Context)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(c.App.Writer)
	for _, b := range blobs {
		fmt.Fprintln(w, b.Digest)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write digests: %w", err)
	}
	slog.InfoContext(c.Context, "gc: dry run", "blobs_unreachable", stats.BlobsRemoved, "bytes_unreachable", stats.BytesRemoved)
	return nil
}
