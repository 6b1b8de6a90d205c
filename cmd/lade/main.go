package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/lade-oci/lade/oci/cas"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run executes the lade command line args and returns the process exit code:
// 0 on success, 1 on any error (including a recovered panic), or the code of
// an exitStatus a command returned (nothing is printed for it).
func run(args []string, stdout, stderr io.Writer) (code int) {
	logger := setupLogging(stderr)

	// SIGINT and SIGTERM cancel the command's context from the app's
	// Before hook (watchInterrupts), for the commands that need it.
	ctx := context.Background()

	defer func() {
		if r := recover(); r != nil {
			logger.Log(ctx, levelFatal, fmt.Sprintf("internal error: %v", r))
			code = 1
		}
	}()

	app := newApp(progName(args), stdout, stderr)
	if err := app.RunContext(ctx, reorderSkopeoArgs(app, helpArgs(app, args))); err != nil {
		var status exitStatus
		if errors.As(err, &status) {
			return int(status)
		}
		hint, _ := app.Metadata[rootlessHintKey].(bool)
		reportError(ctx, logger, app.Name, err, hint)
		return 1
	}
	return 0
}

// exitStatus is returned by a command that succeeded but reports a result
// through its exit code (diff --exit-code); it is not an error message.
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// rootlessHintKey is set in the app's Metadata when the command that failed
// has a --rootless flag (see newApp's ExitErrHandler).
const rootlessHintKey = "rootless-hint"

// reportError prints err as one line, after a hint when a permission error
// of a command that has a --rootless flag (rootlessFlag) suggests that
// --rootless may help.
func reportError(ctx context.Context, logger *slog.Logger, name string, err error, rootlessFlag bool) {
	// A read-only layout or archive is not a matter of --rootless, and a
	// command without the flag (copy, inspect, login...) has nothing to
	// suggest.
	if rootlessFlag && errors.Is(err, os.ErrPermission) && !errors.Is(err, cas.ErrReadOnly) {
		logger.Log(ctx, slog.LevelWarn, name+" encountered a permission error: maybe --rootless will help?")
	}
	// One line, whatever the error holds (errors.Join separates by newlines).
	logger.Log(ctx, levelFatal, strings.ReplaceAll(err.Error(), "\n", "; "))
}

// progName is the name lade was invoked as (so that a symlink named umoci
// presents itself as umoci).
func progName(args []string) string {
	if len(args) == 0 || args[0] == "" {
		return "lade"
	}
	return filepath.Base(args[0])
}
