//go:build !urfave_cli_no_docs

// The man page generator imports go-md2man, which urfave/cli links anyway
// unless lade is built with urfave/cli's urfave_cli_no_docs tag. That tag
// also leaves this file out, so that such a build drops go-md2man and
// blackfriday (whose package initialisation runs at every start); "make
// docs" runs the generator with "go run", whatever tags the binary has.

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/internal/atomicfile"
)

func init() { registerCommand(manCommand()) }

// manCommand is the hidden "__man" command that `make install` runs to
// write the man pages: they are generated from the command definitions
// that --help prints, so the two cannot drift apart.
func manCommand() *cli.Command {
	return &cli.Command{
		Name:      "__man",
		Usage:     "write lade's man pages (section 1) into a directory",
		ArgsUsage: "<directory>",
		Hidden:    true,
		Flags: []cli.Flag{&cli.BoolFlag{
			Name:  "markdown",
			Usage: "write the Markdown the pages are made from (NAME.1.md) instead of roff",
		}},
		Action: runMan,
	}
}

func runMan(c *cli.Context) error {
	if err := checkArgs(c, 1, "<directory>"); err != nil {
		return err
	}
	dir, err := pathArg(c, 0, "directory")
	if err != nil {
		return err
	}
	pages := manPages("lade", version, c.Bool("markdown"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create man directory: %w", err)
	}
	for _, p := range pages {
		if err := atomicfile.WriteBytes(c.Context, filepath.Join(dir, p.file), 0o644, []byte(p.text)); err != nil {
			return fmt.Errorf("write man page: %w", err)
		}
	}
	return nil
}

// manFile is one file of the man pages: a page, or for a command alias a
// ".so" link to the command's page.
type manFile struct {
	file string // "lade-unpack.1"
	text string
}

// manPages renders the pages of prog and of every visible command and
// subcommand, and a ".so" page for every alias. A command without an entry
// in the manual table still gets its page, with no examples
// (TestManualEntries fails for it).
func manPages(prog, version string, markdown bool) []manFile {
	app := newApp(prog, io.Discard, io.Discard)
	app.Setup()
	nodes := append([]cmdNode{{cmd: rootCommand(app)}}, commandTree(app.Commands, nil)...)
	var files []manFile
	for _, n := range nodes {
		m, _ := manualFor(n.key())
		page := manPageName(prog, n.path)
		md := manMarkdown(prog, version, n, m)
		if markdown {
			files = append(files, manFile{page + ".1.md", md})
			continue
		}
		files = append(files, manFile{page + ".1", string(md2man.Render([]byte(md)))})
		for _, a := range n.cmd.Aliases {
			alias := manPageName(prog, append(n.path[:len(n.path)-1:len(n.path)-1], a))
			files = append(files, manFile{alias + ".1", ".so man1/" + page + ".1\n"})
		}
	}
	return files
}
