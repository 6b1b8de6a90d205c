package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

func init() { registerCommand(completeCommand()) }

// completeTimeout bounds the work of one completion (reading a layout's
// index.json and a few blobs takes milliseconds).
const completeTimeout = 3 * time.Second

// completeCommand is the hidden "__complete" command that the bash, zsh and
// fish scripts of "lade completion" call with the words of the command line
// after the program name, the word being completed last (possibly empty).
// It prints a directive line ":ACTION<TAB>PREFIX", then one candidate per
// line ("WORD" or "WORD<TAB>DESCRIPTION"). ACTION tells the shell what to
// add from the file system: "none", "files", "dirs" or "layouts"
// (directories and *.tar archives), each prefixed with PREFIX (such as
// "--layout="). It never fails and never prints anything on stderr.
func completeCommand() *cli.Command {
	return &cli.Command{
		Name:            "__complete",
		Usage:           "print shell completion candidates for a command line",
		ArgsUsage:       "[<word>...] <current-word>",
		Hidden:          true,
		HideHelp:        true,
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			ctx, cancel := context.WithTimeout(c.Context, completeTimeout)
			defer cancel()
			completeLine(ctx, c.App, c.Args().Slice()).write(c.App.Writer)
			return nil
		},
	}
}

// Shell actions of a completion.
const (
	actionNone    = "none"
	actionFiles   = "files"
	actionDirs    = "dirs"
	actionLayouts = "layouts"
)

// completion is the answer to one completion request.
type completion struct {
	action string // actionNone, actionFiles, ...
	prefix string // prepended to the shell's file candidates ("--layout=")
	words  []candidate
}

// candidate is one word to offer, with an optional description.
type candidate struct{ word, desc string }

func (r completion) write(w io.Writer) {
	clean := strings.NewReplacer("\n", " ", "\t", " ")
	fmt.Fprintf(w, ":%s\t%s\n", r.action, clean.Replace(r.prefix))
	for _, c := range r.words {
		if c.desc != "" {
			fmt.Fprintf(w, "%s\t%s\n", clean.Replace(c.word), clean.Replace(c.desc))
		} else {
			fmt.Fprintln(w, clean.Replace(c.word))
		}
	}
}

// lineState is what the words before the current one say: the command
// they name, the values of its flags and its positional arguments.
type lineState struct {
	app    *cli.App
	cmd    *cli.Command
	path   []string
	values map[string]string // last value of each value flag, by first name
	given  map[string]bool   // flags given, by first name
	args   []string          // positional arguments of cmd
}

// completeLine completes the last of words (the command line after the
// program name) against app's command tree. Flags are recognised anywhere,
// so that commands that take them after positional arguments complete too.
func completeLine(ctx context.Context, app *cli.App, words []string) completion {
	if len(words) == 0 {
		words = []string{""}
	}
	st := &lineState{app: app, cmd: rootCommand(app), values: map[string]string{}, given: map[string]bool{}}
	var expect cli.Flag // a flag whose value is the next word
	dashdash := false
	for _, w := range words[:len(words)-1] {
		switch {
		case expect != nil:
			st.values[expect.Names()[0]] = w
			expect = nil
		case !dashdash && w == "--":
			dashdash = true
		case !dashdash && len(w) > 1 && w[0] == '-':
			name, val, hasVal := strings.Cut(strings.TrimLeft(w, "-"), "=")
			f := findFlag(st.cmd.Flags, name)
			if f == nil {
				continue
			}
			st.given[f.Names()[0]] = true
			if takesValue(f) {
				if hasVal {
					st.values[f.Names()[0]] = val
				} else {
					expect = f
				}
			}
		case len(st.args) == 0 && !dashdash && subcommand(st.cmd, w) != nil:
			st.cmd = subcommand(st.cmd, w)
			st.path = append(st.path, st.cmd.Name)
			st.given = map[string]bool{}
		default:
			st.args = append(st.args, w)
		}
	}

	cur := words[len(words)-1]
	switch {
	case expect != nil:
		return completeValue(ctx, st, expect, "", cur)
	case !dashdash && strings.HasPrefix(cur, "-"):
		if name, val, ok := strings.Cut(strings.TrimLeft(cur, "-"), "="); ok {
			if f := findFlag(st.cmd.Flags, name); f != nil && takesValue(f) {
				return completeValue(ctx, st, f, cur[:len(cur)-len(val)], val)
			}
			return completion{action: actionNone}
		}
		return completion{action: actionNone, words: flagCandidates(st, cur)}
	case len(st.args) == 0 && len(visibleSubcommands(st.cmd.Subcommands)) > 0:
		return completion{action: actionNone, words: commandCandidates(st.cmd, cur)}
	}
	return completeArg(ctx, st, cur)
}

// subcommand returns the subcommand of cmd called name (or aliased so).
func subcommand(cmd *cli.Command, name string) *cli.Command {
	for _, sub := range cmd.Subcommands {
		if sub.HasName(name) {
			return sub
		}
	}
	return nil
}

// commandCandidates are the visible subcommands of cmd starting with cur.
func commandCandidates(cmd *cli.Command, cur string) []candidate {
	var out []candidate
	for _, sub := range visibleSubcommands(cmd.Subcommands) {
		if strings.HasPrefix(sub.Name, cur) {
			out = append(out, candidate{sub.Name, sub.Usage})
		}
	}
	return out
}

// flagCandidates are the visible flags of the current command starting with
// cur, as "--name" (or "-n"), without those already given unless they are
// repeatable. An empty cur gets each flag's first name only.
func flagCandidates(st *lineState, cur string) []candidate {
	var out []candidate
	for _, f := range commandFlags(st.cmd) {
		if sf, ok := f.(cli.DocGenerationSliceFlag); st.given[f.Names()[0]] && !(ok && sf.IsSliceFlag()) {
			continue
		}
		_, usage := flagUsage(f)
		names := f.Names()
		if cur == "" {
			names = names[:1]
		}
		for _, name := range names {
			if d := dashed(name); strings.HasPrefix(d, cur) {
				out = append(out, candidate{d, usage})
			}
		}
	}
	return out
}
