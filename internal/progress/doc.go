// Package progress shows how far the transfer of blobs has come: the
// layers and configs of a copy, the layers read by an unpack or written by
// a repack.
//
// A [Display] writes to the writer it is given (the CLI gives it stderr,
// never stdout, so that piped output stays clean), in one of four modes:
//
//   - [Auto]: bars when the writer is a terminal, nothing otherwise;
//   - [Bars]: one bar per blob (short digest, bytes done and total,
//     speed, state: copying, skipped, mounted, done or failed) redrawn in
//     place, then a summary line;
//   - [Plain]: one line per finished blob and the summary line, for logs;
//   - [Quiet]: nothing.
//
// Code that moves bytes reports to a [Reporter] and never needs to know
// which mode is in use; a nil Reporter is allowed wherever one is taken
// (see [Start]).
//
// The bars are drawn by github.com/vbauerster/mpb/v8, which is only
// started when a Display in Bars mode gets its first blob.
//
// This package imports no other lade package.
package progress
