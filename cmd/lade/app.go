package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"sort"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/urfave/cli/v2"
)

// Command categories, as in umoci's help.
const (
	categoryImage  = "image"
	categoryLayout = "layout"
	// categoryTransport holds skopeo's commands, which name images by
	// transport (docker://, oci:, oci-archive:, docker-archive:, dir:).
	categoryTransport = "transport"
)

// commands holds the commands registered by each command file's init
// function.
var commands []*cli.Command

// registerCommand adds a command to lade. Each command file calls it from
// its init function: func init() { registerCommand(fooCommand()) }.
func registerCommand(cmd *cli.Command) {
	commands = append(commands, cmd)
}

// ladeUsage is the one-line summary under NAME in lade's help.
const ladeUsage = "manipulate OCI images on disk (a drop-in replacement for umoci)"

// helpHeads are the first lines of the help (summary and usage line) by
// the name lade is invoked as, where they differ from lade's: run as umoci
// it prints umoci's own, which scripts written for umoci may check.
var helpHeads = map[string]struct{ usage, usageText string }{
	"umoci": {
		usage:     "umoci modifies Open Container images",
		usageText: "umoci [global options] command [command options] [arguments...]",
	},
}

// newApp builds the lade application, presenting itself as name.
func newApp(name string, stdout, stderr io.Writer) *cli.App {
	cmds := append([]*cli.Command(nil), commands...)
	setupCommands(cmds)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })

	// --version prints umoci's four lines; the help keeps the short form.
	cli.VersionPrinter = func(c *cli.Context) {
		fmt.Fprintf(c.App.Writer, "%s version %s\n", c.App.Name, versionString())
	}
	usage, usageText := ladeUsage, ""
	if head, ok := helpHeads[name]; ok {
		usage, usageText = head.usage, head.usageText
	}
	var profile *os.File
	var cancelTimeout, stopInterrupts context.CancelFunc
	app := &cli.App{
		Name:      name,
		Usage:     usage,
		UsageText: usageText,
		Version:   version,
		Description: name + ` works on OCI image layouts: directories holding an index.json, an
oci-layout file and a blobs/ store. Images are named PATH[:TAG] where PATH is
the layout directory (it may not contain ':') and TAG is a reference name in
the layout's index.json (default "latest").

Commands in the "image" category take --image PATH[:TAG]; commands in the
"layout" category take --layout PATH. Flags must come before positional
arguments. Exit status is 0 on success and 1 on any error.`,
		Commands:                  cmds,
		Writer:                    stdout,
		ErrWriter:                 stderr,
		DisableSliceFlagSeparator: true,
		Suggest:                   true,
		Flags: append([]cli.Flag{
			&cli.StringFlag{
				Name:  "log",
				Value: "warn",
				Usage: "set the log level (debug, info, warn, error, fatal)",
			},
			&cli.BoolFlag{
				Name:  "verbose",
				Usage: "alias for --log=info",
			},
			&cli.StringFlag{
				Name:   "cpu-profile",
				Hidden: true,
				Usage:  "write a Go CPU profile to `FILE`",
			},
		}, skopeoGlobalFlags()...),
		Before: func(c *cli.Context) error {
			if err := setLogLevel(c); err != nil {
				return err
			}
			cancel, err := applyCommandTimeout(c)
			if err != nil {
				return err
			}
			cancelTimeout = cancel
			stopInterrupts = watchInterrupts(c)
			if path := c.String("cpu-profile"); path != "" {
				f, err := startCPUProfile(path)
				if err != nil {
					return err
				}
				profile = f
			}
			return nil
		},
		After: func(*cli.Context) error {
			if cancelTimeout != nil {
				cancelTimeout()
			}
			if stopInterrupts != nil {
				stopInterrupts()
			}
			if profile == nil {
				return nil
			}
			pprof.StopCPUProfile()
			if err := profile.Close(); err != nil {
				return fmt.Errorf("write cpu profile: %w", err)
			}
			return nil
		},
		OnUsageError: usageError,
		CommandNotFound: func(c *cli.Context, cmd string) {
			// Reported by the caller through the returned error below.
		},
		// Called with the failing command's context: remember whether
		// that command has --rootless, for reportError's hint.
		ExitErrHandler: func(c *cli.Context, err error) {
			if err != nil && c.Command != nil && findFlag(c.Command.Flags, "rootless") != nil {
				c.App.Metadata[rootlessHintKey] = true
			}
		},
		Metadata: map[string]any{},
	}
	cacheFlagNames(app.Flags)
	cacheGlobalFlagNames()
	app.Action = func(c *cli.Context) error {
		if c.Args().Present() {
			return fmt.Errorf("unknown command %q (see '%s --help')", c.Args().First(), c.App.Name)
		}
		return cli.ShowAppHelp(c)
	}
	return app
}

// setLogLevel applies --log and --verbose to the logger and to go-mtree's
// logrus.
func setLogLevel(c *cli.Context) error {
	level := slog.LevelWarn
	if c.IsSet("log") {
		l, err := parseLogLevel(c.String("log"))
		if err != nil {
			return err
		}
		level = l
	}
	if c.Bool("verbose") {
		if c.IsSet("log") {
			return errors.New("--log=* and --verbose are mutually exclusive")
		}
		level = slog.LevelInfo
	}
	if c.Bool("debug") {
		if c.IsSet("log") || c.Bool("verbose") {
			return errors.New("--debug, --log=* and --verbose are mutually exclusive")
		}
		level = slog.LevelDebug
	}
	logLevel.Set(level)

	switch {
	case level <= slog.LevelDebug:
		logrus.SetLevel(logrus.DebugLevel)
	case level <= slog.LevelInfo:
		logrus.SetLevel(logrus.InfoLevel)
	case level <= slog.LevelWarn:
		logrus.SetLevel(logrus.WarnLevel)
	default:
		logrus.SetLevel(logrus.ErrorLevel)
	}
	return nil
}

func startCPUProfile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start cpu profile: %w", err)
	}
	return f, nil
}

// usageError returns flag parsing errors as one line instead of
// urfave/cli's "Incorrect Usage" and help, naming flags the way they are
// written ("--layout", not "-layout").
func usageError(_ *cli.Context, err error, _ bool) error {
	msg := err.Error()
	for _, prefix := range []string{"flag needs an argument: -", "flag provided but not defined: -"} {
		if strings.HasPrefix(msg, prefix) && !strings.HasPrefix(msg, prefix+"-") {
			msg = prefix + "-" + strings.TrimPrefix(msg, prefix)
		}
	}
	return errors.New(msg)
}

// setupCommands installs usageError on cmds and their subcommands, and hides
// the help subcommand of commands that have no subcommands.
func setupCommands(cmds []*cli.Command) {
	for _, cmd := range cmds {
		if cmd.OnUsageError == nil {
			cmd.OnUsageError = usageError
		}
		if len(cmd.Subcommands) == 0 {
			cmd.HideHelpCommand = true
		}
		cacheFlagNames(cmd.Flags)
		setupCommands(cmd.Subcommands)
	}
}
