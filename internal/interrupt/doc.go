// Package interrupt gives a command a context that SIGINT and SIGTERM
// cancel, installing the signal handler only when the command turns out
// to need it (Arm). os/signal starts a goroutine and a dedicated OS thread
// for a handler, a measurable share of a command that lists a layout in a
// few milliseconds; such a command can die of a signal at no cost, as long
// as it does nothing long: rewriting an archive or waiting for a lock
// another process holds are, and arm the handler first.
//
// It imports only the standard library.
package interrupt
