package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

// quickCommands finish in milliseconds and leave nothing behind that a
// signal could catch half done: their layout writes are atomic renames, and
// a temporary file a kill leaves is removed by the next gc, as after a
// SIGKILL. They run without a SIGINT/SIGTERM handler, because os/signal
// starts a goroutine and a dedicated OS thread for it, a measurable share
// (about half a millisecond) of a command this short. A signal ends them
// at once, as it ends umoci. Names are canonical command names.
var quickCommands = map[string]bool{
	"list": true, "stat": true, "tag": true, "remove": true, "config": true, "gc": true,
	"help": true, "completion": true, "__complete": true,
}

// watchInterrupts makes SIGINT and SIGTERM cancel c.Context, the context
// every command derives its own from, unless the command c is about to run
// is quick (or there is none: help, --version). A command that is
// cancelled cleans up and fails with the context's error. It returns the
// function that stops watching, or nil.
func watchInterrupts(c *cli.Context) context.CancelFunc {
	name := c.Args().First()
	if name == "" {
		return nil
	}
	if cmd := c.App.Command(name); cmd != nil && quickCommands[cmd.Name] {
		return nil
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	c.Context = ctx
	return stop
}
