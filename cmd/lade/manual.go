package main

// manual is what a command's man page has beyond the text of its --help:
// examples, environment, exit status and related pages. The table of every
// command's manual is in manual_*.go, keyed by command path; a test fails
// for a visible command without an entry or without examples.
type manual struct {
	examples []example
	env      []envVar
	exit     string   // the EXIT STATUS text, when not exitDefault
	seeAlso  []string // related pages: "lade-repack" (section 1) or "runc(8)"
}

// example is one EXAMPLES entry: what it does, then the command line.
type example struct{ what, cmd string }

// envVar is one ENVIRONMENT entry.
type envVar struct{ name, what string }

// exitDefault is the EXIT STATUS of most commands.
const exitDefault = `0 on success; 1 on any error, after one error line on standard error.`

// noEnv is the ENVIRONMENT text of a command that no variable changes.
const noEnv = `No environment variable changes what this command does.`

// Environment variables shared by several commands.
var (
	sdeHistory = envVar{"SOURCE_DATE_EPOCH", `Integer seconds since the Unix epoch: the time of the new history entry when --history.created is not given (otherwise the current time).`}
	sdeLayer   = envVar{"SOURCE_DATE_EPOCH", `Integer seconds since the Unix epoch: the time of the new history entry when --history.created is not given (otherwise the current time); file times newer than it are clamped to it in the new layer, for reproducible layers.`}
	sdeTree    = envVar{"SOURCE_DATE_EPOCH", `Integer seconds since the Unix epoch: the time given to directories that no layer has an entry for (otherwise the time of the command), so that two runs give identical trees.`}
	tmpdirTree = envVar{"TMPDIR", `Where the layers are unpacked into a private temporary directory (default /tmp).`}
)

// manualFor returns the manual of the command at path ("" for lade itself,
// "index create" for a subcommand).
func manualFor(path string) (manual, bool) {
	m, ok := manuals()[path]
	return m, ok
}

// manuals is the table of every command's manual. It is built on each call
// (only the man page generator and its tests use it), so that lade's start
// costs nothing for it.
func manuals() map[string]manual {
	m := map[string]manual{}
	for _, part := range []map[string]manual{manualsTop(), manualsEdit(), manualsIndexRaw(), manualsLayout(), manualsTransport()} {
		for k, v := range part {
			m[k] = v
		}
	}
	return m
}
