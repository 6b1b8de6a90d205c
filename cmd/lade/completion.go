package main

import (
	"embed"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

func init() { registerCommand(completionCommand()) }

// completionScripts are the shell scripts "completion" prints, with @NAME@
// standing for the program name and @FUNC@ for it as an identifier. All
// three call the hidden __complete command, so that bash, zsh and fish
// share one implementation.
//
//go:embed completion/lade.bash completion/lade.zsh completion/lade.fish
var completionScripts embed.FS

// completionShells are the shells "completion" has a script for.
func completionShells() []string { return []string{"bash", "zsh", "fish"} }

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "<shell>",
		Description: `Print the completion script for <shell> (bash, zsh or fish) on standard
output. It completes command and subcommand names; flags; the values of
--log, --compress and config --clear; directories and *.tar archives for
--layout and for the PATH of --image PATH:TAG; the tags of that layout's
index.json once the ':' is typed (a layout directory or an OCI archive,
read without locking or writing anything; a missing or corrupt layout
completes nothing); the platforms of a multi-platform --image for
--platform; the tags of the --image layout for index create and add; images
for diff; directories for bundle arguments and files for file arguments.
Bash's default COMP_WORDBREAKS (which splits words at ':' and '=') is
handled. To list candidates the script runs the command being completed with
the hidden "__complete" command and the words typed so far.

"make install" installs the scripts where bash-completion, zsh and fish load
them on demand:

   PREFIX/share/bash-completion/completions/lade
   PREFIX/share/zsh/site-functions/_lade
   PREFIX/share/fish/vendor_completions.d/lade.fish

For the current bash session only: source <(lade completion bash). When
lade is run as umoci (the link "make install-umoci-link" installs), the
script completes the umoci command instead.`,
		Action: runCompletion,
	}
}

func runCompletion(c *cli.Context) error {
	if err := checkArgs(c, 1, "<shell>"); err != nil {
		return err
	}
	shell := c.Args().First()
	script, err := completionScript(shell, c.App.Name)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(c.App.Writer, script)
	return err
}

// completionScript returns the script for shell, completing the command
// name.
func completionScript(shell, name string) (string, error) {
	ext := map[string]string{"bash": "bash", "zsh": "zsh", "fish": "fish"}[shell]
	if ext == "" {
		return "", fmt.Errorf("invalid shell %q: must be one of %s", shell, strings.Join(completionShells(), ", "))
	}
	data, err := completionScripts.ReadFile("completion/lade." + ext)
	if err != nil {
		return "", fmt.Errorf("read completion script: %w", err)
	}
	return strings.NewReplacer("@NAME@", name, "@FUNC@", shellIdent(name)).Replace(string(data)), nil
}

// shellIdent turns name into a function name all three shells accept:
// letters, digits and '_' only.
func shellIdent(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '_'
	}, name)
}
