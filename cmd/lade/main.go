package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run executes the lade command line args and returns the process exit code:
// 0 on success, 1 on any error (including a recovered panic).
func run(args []string, stdout, stderr io.Writer) (code int) {
	logger := setupLogging(stderr)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	defer func() {
		if r := recover(); r != nil {
			logger.Log(ctx, levelFatal, fmt.Sprintf("internal error: %v", r))
			code = 1
		}
	}()

	app := newApp(progName(args), stdout, stderr)
	if err := app.RunContext(ctx, args); err != nil {
		reportError(ctx, logger, app.Name, err)
		return 1
	}
	return 0
}

// reportError prints err as one line (plus a hint when a permission error
// suggests that --rootless may help).
func reportError(ctx context.Context, logger *slog.Logger, name string, err error) {
	if errors.Is(err, os.ErrPermission) {
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
