package main

import (
	"context"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/internal/interrupt"
)

// quickCommands finish in milliseconds and leave nothing behind that a
// signal could catch half done: their layout writes are atomic renames, and
// a temporary file a kill leaves is removed by the next gc, as after a
// SIGKILL. Their SIGINT/SIGTERM handler is installed only when they turn
// out to do something long (interrupt.Arm: rewriting an archive, waiting
// for a lock), because os/signal starts a goroutine and a dedicated OS
// thread for it, a measurable share (about half a millisecond) of a
// command this short. Until then a signal ends them at once, as it ends
// umoci. Names are canonical command names.
var quickCommands = map[string]bool{
	"list": true, "stat": true, "tag": true, "remove": true, "config": true, "gc": true,
	"help": true, "completion": true, "__complete": true,
}

// watchInterrupts makes c.Context, the context every command derives its
// own from, one that SIGINT and SIGTERM cancel: at once, or for a quick
// command (or none: help, --version) when it arms the handler. A command
// that is cancelled cleans up and fails with the context's error. It
// returns the function that stops watching.
func watchInterrupts(c *cli.Context) context.CancelFunc {
	ctx, stop := interrupt.Context(c.Context)
	c.Context = ctx
	name := c.Args().First()
	if name == "" {
		return stop
	}
	if cmd := c.App.Command(name); cmd != nil && quickCommands[cmd.Name] {
		return stop
	}
	interrupt.Arm(ctx)
	return stop
}
