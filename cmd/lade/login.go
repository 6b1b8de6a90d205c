package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/lade-oci/lade/oci/registry"
	"github.com/lade-oci/lade/oci/registry/authfile"
	"github.com/lade-oci/lade/oci/transport"
)

func init() { registerSkopeoCommand(loginCommand()) }

func loginCommand() *cli.Command {
	return &cli.Command{
		Name:      "login",
		Usage:     "log in to a container registry",
		Category:  categoryTransport,
		ArgsUsage: "REGISTRY",
		Description: `Check a user name and password against REGISTRY (HOST[:PORT], or
HOST[:PORT]/REPOSITORY for credentials used only for that repository and
below) and store them, as "skopeo login" does, in --authfile FILE, else
$REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json (else
/run/containers/UID/auth.json), or with the credential helper that file's
credHelpers names for the registry. The file is written atomically with mode
0600; its other entries and keys are kept. "Login Succeeded!" is printed.

The password comes from --password, from standard input with
--password-stdin (one line), or is asked for on a terminal, like a missing
--username. Without --username, credentials already stored for REGISTRY
are checked instead ("Already logged in").

--get-login prints the user name stored for REGISTRY (searching every
credentials file lade reads) and changes nothing.

--tls-verify=false and --cert-dir DIR work as for "lade copy".`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "username", Aliases: []string{"u"}, Usage: "user `NAME` for the registry"},
			&cli.StringFlag{Name: "password", Aliases: []string{"p"}, Usage: "`PASSWORD` for the registry"},
			&cli.BoolFlag{Name: "password-stdin", Usage: "read the password from standard input"},
			&cli.StringFlag{Name: "authfile", Usage: "write the credentials to `PATH`"},
			&cli.StringFlag{Name: "cert-dir", Usage: "use the certificates in `DIR` to reach the registry"},
			&cli.BoolFlag{Name: "tls-verify", Value: true, Usage: "require HTTPS and verify certificates (false also allows plain HTTP)"},
			&cli.BoolFlag{Name: "get-login", Usage: "print the user name stored for the registry"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "also print the credentials file used"},
		},
		Action: runLogin,
	}
}

func runLogin(c *cli.Context) error {
	if err := checkArgs(c, 1, c.Command.ArgsUsage); err != nil {
		return err
	}
	server := c.Args().First()
	opts := loginOptions(c)
	w := c.App.Writer
	if c.Bool("get-login") {
		user, err := registry.LoginUser(c.Context, server, opts)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, user)
		return nil
	}
	if c.Bool("password-stdin") && c.IsSet("password") {
		return errors.New("can't specify both --password-stdin and --password")
	}
	if !c.IsSet("username") && !c.IsSet("password") && !c.Bool("password-stdin") {
		found, err := registry.CheckStoredLogin(c.Context, server, opts)
		if found && err == nil {
			fmt.Fprintf(w, "Authenticating with existing credentials for %s\n", server)
			fmt.Fprintf(w, "Existing credentials are valid. Already logged in to %s\n", server)
			return nil
		}
		if err != nil && !errors.Is(err, registry.ErrInvalidCredentials) {
			return err
		}
	}
	cred, err := loginCredentials(c)
	if err != nil {
		return err
	}
	if err := registry.Login(c.Context, server, cred, opts); err != nil {
		return err
	}
	if c.Bool("verbose") {
		fmt.Fprintln(w, "Used: ", authfile.PrimaryPath(opts.AuthFile))
	}
	fmt.Fprintln(w, "Login Succeeded!")
	return nil
}

// loginOptions reads login's and logout's connection flags; the check of
// the credentials is retried as lade's other registry commands retry by
// default (skopeo login has no --retry-times).
func loginOptions(c *cli.Context) transport.Options {
	opts := transport.Options{AuthFile: c.String("authfile"), CertDir: c.String("cert-dir"), TempDir: tempDir(c), RetryTimes: defaultRetryTimes}
	if c.IsSet("tls-verify") {
		v := c.Bool("tls-verify")
		opts.TLSVerify = &v
	}
	return opts
}

// loginCredentials gathers the user name and password from the flags,
// standard input (--password-stdin) or the terminal.
func loginCredentials(c *cli.Context) (transport.Credentials, error) {
	user, pass := c.String("username"), c.String("password")
	if user == "" {
		if c.Bool("password-stdin") {
			return transport.Credentials{}, errors.New("--password-stdin needs --username")
		}
		u, err := askLine("Username: ")
		if err != nil {
			return transport.Credentials{}, err
		}
		user = u
	}
	switch {
	case c.Bool("password-stdin"):
		p, err := readPasswordStdin(os.Stdin)
		if err != nil {
			return transport.Credentials{}, err
		}
		pass = p
	case !c.IsSet("password"):
		p, err := askPassword(user)
		if err != nil {
			return transport.Credentials{}, err
		}
		pass = p
	}
	if user == "" || pass == "" {
		return transport.Credentials{}, errors.New("user name and password must not be empty")
	}
	return transport.Credentials{Username: user, Password: pass}, nil
}

// readPasswordStdin reads the first line of r, without its line ending.
func readPasswordStdin(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// askLine asks for one line on the terminal; without a terminal on
// standard input it fails rather than block on a pipe.
func askLine(prompt string) (string, error) {
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		return "", errors.New("no user name given (--username) and standard input is not a terminal")
	}
	fmt.Fprint(os.Stderr, prompt)
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read user name: %w", err)
	}
	return strings.TrimSpace(line), nil
}
