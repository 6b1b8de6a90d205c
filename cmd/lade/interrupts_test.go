package main

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/internal/interrupt"
)

// interruptApp runs args in an app whose Before hook is watchInterrupts,
// as newApp's is, and returns what the command's action saw.
func interruptApp(t *testing.T, action cli.ActionFunc, args ...string) error {
	t.Helper()
	var stop context.CancelFunc
	app := &cli.App{
		Name: "lade",
		Commands: []*cli.Command{
			{Name: "unpack", Action: action},
			{Name: "list", Aliases: []string{"ls"}, Action: action},
		},
		Before: func(c *cli.Context) error { stop = watchInterrupts(c); return nil },
		After: func(*cli.Context) error {
			if stop != nil {
				stop()
			}
			return nil
		},
	}
	return app.RunContext(context.Background(), append([]string{"lade"}, args...))
}

func TestInterruptCancelsLongCommand(t *testing.T) {
	err := interruptApp(t, func(c *cli.Context) error {
		if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
			return err
		}
		select {
		case <-c.Context.Done():
			return c.Context.Err()
		case <-time.After(10 * time.Second):
			return errors.New("SIGINT did not cancel the command's context")
		}
	}, "unpack")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("unpack after SIGINT: %v, want context.Canceled", err)
	}
}

func TestQuickCommandHasNoInterruptHandler(t *testing.T) {
	for _, name := range []string{"ls", "list"} {
		err := interruptApp(t, func(c *cli.Context) error {
			if interrupt.Armed(c.Context) {
				return errors.New("a signal handler for a quick command")
			}
			return nil
		}, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
