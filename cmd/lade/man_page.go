package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// manPageName is the man page of the command at path: "lade",
// "lade-unpack", "lade-index-create".
func manPageName(prog string, path []string) string {
	return strings.Join(append([]string{prog}, path...), "-")
}

// manMarkdown renders the man page of node (the root command, whose path is
// empty, for lade(1)) as Markdown for go-md2man. Everything but m comes
// from the command definitions that --help prints.
func manMarkdown(prog, version string, node cmdNode, m manual) string {
	cmd := node.cmd
	page := manPageName(prog, node.path)
	var b strings.Builder
	fmt.Fprintf(&b, "%% %s 1 \"\" \"%s %s\" \"%s manual\"\n\n", strings.ToUpper(page), prog, version, prog)

	names := []string{page}
	for _, a := range cmd.Aliases {
		names = append(names, manPageName(prog, append(node.path[:len(node.path)-1:len(node.path)-1], a)))
	}
	fmt.Fprintf(&b, "# NAME\n%s - %s\n\n", strings.Join(names, ", "), mdEscape(cmd.Usage))

	b.WriteString("# SYNOPSIS\n")
	b.WriteString(strings.Join(manSynopsis(prog, node), "  \n"))
	b.WriteString("\n\n# DESCRIPTION\n")
	desc := cmd.Description
	if desc == "" {
		desc = cmd.Usage + "."
	}
	b.WriteString(mdText(desc) + "\n\n")

	if subs := visibleSubcommands(cmd.Subcommands); len(subs) > 0 {
		b.WriteString("# COMMANDS\n")
		for _, sub := range subs {
			var subNames []string
			for _, n := range sub.Names() {
				subNames = append(subNames, "**"+mdEscape(n)+"**")
			}
			fmt.Fprintf(&b, "%s\n: %s. See **%s**(1).\n\n", strings.Join(subNames, ", "),
				mdParagraph(sub.Usage), mdEscape(manPageName(prog, append(node.path[:len(node.path):len(node.path)], sub.Name))))
		}
	}

	b.WriteString("# OPTIONS\n")
	for _, f := range commandFlags(cmd) {
		names, usage := flagUsage(f)
		fmt.Fprintf(&b, "%s\n: %s\n\n", mdFlagTerm(names), mdParagraph(usage))
	}
	if len(node.path) > 0 {
		fmt.Fprintf(&b, "The global options (--log, --verbose) go before the command name; see **%s**(1).\n\n", prog)
	}

	exit := m.exit
	if exit == "" {
		exit = exitDefault
	}
	fmt.Fprintf(&b, "# EXIT STATUS\n%s\n\n", mdParagraph(exit))

	b.WriteString("# ENVIRONMENT\n")
	if len(m.env) == 0 {
		b.WriteString(mdParagraph(noEnv) + "\n\n")
	}
	for _, e := range m.env {
		fmt.Fprintf(&b, "**%s**\n: %s\n\n", mdEscape(e.name), mdParagraph(e.what))
	}

	b.WriteString("# EXAMPLES\n")
	if len(m.examples) == 0 {
		b.WriteString("None yet.\n\n")
	}
	for _, ex := range m.examples {
		fmt.Fprintf(&b, "%s\n\n%s\n\n", mdParagraph(ex.what), mdCode(strings.Split(ex.cmd, "\n")))
	}

	fmt.Fprintf(&b, "# SEE ALSO\n%s\n", strings.Join(manSeeAlso(prog, node, m), ", "))
	return b.String()
}

// manSynopsis is the SYNOPSIS lines of node: the command path, then its
// options and ArgsUsage (one line per line of ArgsUsage), or COMMAND for a
// command group.
func manSynopsis(prog string, node cmdNode) []string {
	head := "**" + prog + "** \\[*global options*\\]"
	if len(node.path) > 0 {
		head += " **" + mdEscape(strings.Join(node.path, " ")) + "**"
	}
	if len(visibleSubcommands(node.cmd.Subcommands)) > 0 {
		return []string{head + " *command* \\[*options*\\] \\[*arguments*...\\]"}
	}
	head += " \\[*options*\\]"
	var lines []string
	for _, args := range strings.Split(node.cmd.ArgsUsage, "\n") {
		if args = strings.TrimSpace(args); args != "" {
			lines = append(lines, head+" "+mdEscape(args))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, head)
	}
	return lines
}

// manSeeAlso lists lade(1), the parent command's page, the subcommands'
// pages and the manual's related pages, each once.
func manSeeAlso(prog string, node cmdNode, m manual) []string {
	var pages []string
	add := func(p string) {
		name, section := p, "1"
		if i := strings.IndexByte(p, '('); i > 0 && strings.HasSuffix(p, ")") {
			name, section = p[:i], p[i+1:len(p)-1]
		}
		if strings.HasPrefix(name, "lade-") {
			name = prog + strings.TrimPrefix(name, "lade")
		}
		ref := "**" + mdEscape(name) + "**(" + section + ")"
		if name != manPageName(prog, node.path) && !slices.Contains(pages, ref) {
			pages = append(pages, ref)
		}
	}
	for i := 0; i < len(node.path); i++ {
		add(manPageName(prog, node.path[:i]))
	}
	for _, sub := range visibleSubcommands(node.cmd.Subcommands) {
		add(manPageName(prog, append(node.path[:len(node.path):len(node.path)], sub.Name)))
	}
	for _, p := range m.seeAlso {
		add(p)
	}
	return pages
}

// rootCommand presents app as a command, so that lade(1) is rendered like
// the pages of its commands.
func rootCommand(app *cli.App) *cli.Command {
	return &cli.Command{
		Name:        app.Name,
		Usage:       app.Usage,
		Description: app.Description,
		Flags:       app.Flags, // hidden ones too: completion must know what they take
		Subcommands: app.Commands,
		HideHelp:    true, // app.Flags has --help already
	}
}
