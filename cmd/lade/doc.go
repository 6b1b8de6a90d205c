// Command lade is a drop-in replacement for umoci: it creates, inspects,
// unpacks and repacks OCI image layouts on disk.
//
// This package owns the command line only: app wiring (app.go, main.go),
// logging setup (log.go), shared flag parsing into typed values (flags*.go),
// one file per command, all output formatting (stat_format*.go) and the
// mapping of errors to exit codes and hints. Commands parse their flags into
// typed values, call one library operation and format the result.
//
// The man pages (man*.go, manual_*.go) and shell completion (complete*.go,
// completion.go, completion/) walk the command tree (cmdtree.go), so every
// registered command gets a page and completion; a command's examples,
// environment and exit status live in the manual table keyed by its path.
//
// It is the only package of lade that may import github.com/urfave/cli/v2;
// nothing imports it.
package main
