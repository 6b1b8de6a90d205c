//go:build !urfave_cli_no_docs

package main

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/urfave/cli/v2"
)

// manNodes returns lade's root and every visible command, as the man page
// generator walks them.
func manNodes(t *testing.T) []cmdNode {
	t.Helper()
	app := newApp("lade", io.Discard, io.Discard)
	app.Setup()
	return append([]cmdNode{{cmd: rootCommand(app)}}, commandTree(app.Commands, nil)...)
}

// TestManualEntries: every command has a manual entry with examples, and
// every entry belongs to a command.
func TestManualEntries(t *testing.T) {
	keys := map[string]bool{}
	for _, n := range manNodes(t) {
		keys[n.key()] = true
		m, ok := manualFor(n.key())
		if !ok {
			t.Errorf("command %q has no manual entry: add one to cmd/lade/manual_*.go", n.key())
			continue
		}
		if len(m.examples) == 0 {
			t.Errorf("command %q has no examples in its manual entry", n.key())
		}
		for _, ex := range m.examples {
			if ex.what == "" || ex.cmd == "" {
				t.Errorf("command %q: empty example %+v", n.key(), ex)
			}
		}
	}
	for k := range manuals() {
		if !keys[k] {
			t.Errorf("manual entry %q names no visible command", k)
		}
	}
}

// TestManualExamplesParse: every lade command line of the examples names
// existing commands and flags, with a value for every value flag, and
// positional arguments only where the command takes some.
func TestManualExamplesParse(t *testing.T) {
	root := manNodes(t)[0].cmd
	n := 0
	for key, m := range manuals() {
		for _, ex := range m.examples {
			for _, words := range exampleCommands(ex.cmd) {
				n++
				if err := checkCommandLine(root, words); err != nil {
					t.Errorf("manual %q: example %q: %v", key, strings.Join(words, " "), err)
				}
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d example command lines found", n)
	}
	for _, bad := range [][]string{{"frob"}, {"unpack", "--frob"}, {"unpack", "--image"}, {"new", "x"}, {"index", "frob"}} {
		if checkCommandLine(root, bad) == nil {
			t.Errorf("checkCommandLine accepts %q", bad)
		}
	}
}

// exampleCommands returns the arguments of every "lade" command in the
// shell text s (one command per line, or joined with &&, | or ;), after
// environment assignments and without redirections.
func exampleCommands(s string) [][]string {
	var out [][]string
	for _, line := range strings.Split(s, "\n") {
		var cmd []string
		flush := func() {
			for len(cmd) > 0 && strings.Contains(cmd[0], "=") && !strings.HasPrefix(cmd[0], "-") {
				cmd = cmd[1:]
			}
			if len(cmd) > 0 && cmd[0] == "lade" {
				out = append(out, cmd[1:])
			}
			cmd = nil
		}
		for _, w := range shellWords(line) {
			switch {
			case w == "&&" || w == "|" || w == ";":
				flush()
			case strings.HasPrefix(w, ">") || strings.HasPrefix(w, "<") || strings.HasPrefix(w, "2>"):
			default:
				cmd = append(cmd, w)
			}
		}
		flush()
	}
	return out
}

// shellWords splits a line into words, honouring single and double quotes.
func shellWords(line string) []string {
	var words []string
	var w strings.Builder
	in, quote := false, rune(0)
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// checkCommandLine checks args (after "lade") against the command tree.
func checkCommandLine(cmd *cli.Command, args []string) error {
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' {
			name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
			f := findFlag(commandFlags(cmd), name)
			if f == nil {
				return fmt.Errorf("%s has no flag %s", cmd.Name, a)
			}
			if takesValue(f) && !hasVal {
				if i++; i == len(args) {
					return fmt.Errorf("%s needs a value", a)
				}
			}
			continue
		}
		if len(positional) == 0 && len(visibleSubcommands(cmd.Subcommands)) > 0 {
			sub := subcommand(cmd, a)
			if sub == nil {
				return fmt.Errorf("%s has no command %s", cmd.Name, a)
			}
			cmd = sub
			continue
		}
		positional = append(positional, a)
	}
	if len(positional) > 0 && cmd.ArgsUsage == "" {
		return fmt.Errorf("%s takes no arguments, got %q", cmd.Name, positional)
	}
	return nil
}

// roffTerms are the .TP terms of the section of a roff page, font escapes
// removed.
func roffTerms(page, section string) []string {
	var terms []string
	in := false
	lines := strings.Split(page, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".SH ") {
			in = strings.TrimPrefix(l, ".SH ") == section
		}
		if in && l == ".TP" && i+1 < len(lines) {
			terms = append(terms, regexp.MustCompile(`\\f[BIRP]`).ReplaceAllString(lines[i+1], ""))
		}
	}
	return terms
}

// helpNames returns the flag names (or command names) of the lines of a
// --help section: the names before the usage column, split at ", ".
func helpNames(help, section string) []string {
	var names []string
	in := false
	for _, l := range strings.Split(help, "\n") {
		if l != "" && l[0] != ' ' {
			in = strings.HasPrefix(l, section)
			continue
		}
		field, _, _ := strings.Cut(strings.TrimSpace(l), "  ")
		if !in || field == "" || strings.HasSuffix(field, ":") {
			continue
		}
		for _, w := range strings.Split(field, ", ") {
			if w = strings.Fields(w)[0]; w != "help" && w != "h" && w != "[" {
				names = append(names, w)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// termNames returns the flag or command names of .TP terms.
func termNames(terms []string) []string {
	var names []string
	for _, term := range terms {
		for _, w := range strings.Split(term, ", ") {
			if w = strings.Fields(w)[0]; w != "[" {
				names = append(names, w)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestManPages renders every page: each has the sections the issue asks
// for, and lists exactly the flags and subcommands that --help lists.
func TestManPages(t *testing.T) {
	files := manPages("lade", "1.2.3", false)
	byName := map[string]string{}
	for _, f := range files {
		if _, dup := byName[f.file]; dup {
			t.Errorf("two pages named %s", f.file)
		}
		byName[f.file] = f.text
	}
	for _, n := range manNodes(t) {
		page := manPageName("lade", n.path) + ".1"
		text, ok := byName[page]
		if !ok {
			t.Errorf("no page %s", page)
			continue
		}
		for _, sec := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES", "SEE ALSO"} {
			if !strings.Contains(text, "\n.SH "+sec+"\n") {
				t.Errorf("%s: no %s section", page, sec)
			}
		}
		if !strings.Contains(text, `.TH `+strings.ToUpper(manPageName("lade", n.path))+` 1 "" "lade 1.2.3"`) {
			t.Errorf("%s: bad title: %.100q", page, text)
		}
		help := mustLade(t, append(slices.Clone(n.path), "--help")...).stdout
		for _, sec := range [][2]string{{"OPTIONS", "OPTIONS"}, {"OPTIONS", "GLOBAL OPTIONS"}, {"COMMANDS", "COMMANDS"}} {
			want := helpNames(help, sec[1])
			if len(n.path) > 0 && sec[1] == "GLOBAL OPTIONS" || len(n.path) == 0 && sec[1] == "OPTIONS" {
				continue
			}
			if got := termNames(roffTerms(text, sec[0])); !slices.Equal(got, want) {
				t.Errorf("%s: %s has %q, --help %s has %q", page, sec[0], got, sec[1], want)
			}
		}
		for _, p := range regexp.MustCompile(`\\fB(lade[a-z-]*)\\fP\(1\)`).FindAllStringSubmatch(text, -1) {
			if _, ok := byName[p[1]+".1"]; !ok {
				t.Errorf("%s: refers to %s(1), which does not exist", page, p[1])
			}
		}
	}
	for name, text := range byName {
		if target := manAliasTarget(text); target != "" {
			if _, ok := byName[target+".1"]; !ok || manAliasTarget(byName[target+".1"]) != "" {
				t.Errorf("%s points at %s, which is not a page", name, target)
			}
		}
	}
	for _, alias := range []string{"lade-ls.1", "lade-rm.1", "lade-index-list.1", "lade-raw-config.1"} {
		if manAliasTarget(byName[alias]) == "" {
			t.Errorf("no alias page %s", alias)
		}
	}
}

// manAliasTarget returns the page a ".so" alias page points at, or "".
func manAliasTarget(text string) string {
	if t, ok := strings.CutPrefix(text, ".so man1/"); ok {
		return strings.TrimSuffix(strings.TrimSpace(t), ".1")
	}
	return ""
}

// TestManPageWithoutManual: a command nobody wrote a manual entry for yet
// still gets a page with every section (TestManualEntries fails for it).
func TestManPageWithoutManual(t *testing.T) {
	cmd := &cli.Command{Name: "frob", Usage: "frobnicate", ArgsUsage: "<x>", Flags: []cli.Flag{&cli.BoolFlag{Name: "hard", Usage: "frobnicate hard"}}}
	page := string(md2man.Render([]byte(manMarkdown("lade", "1", cmdNode{path: []string{"frob"}, cmd: cmd}, manual{}))))
	for _, want := range []string{".SH EXAMPLES\nNone yet.", ".SH ENVIRONMENT\nNo environment variable", ".SH EXIT STATUS\n0 on success", "\\fB--hard\\fP\nfrobnicate hard (default: false)"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
}
