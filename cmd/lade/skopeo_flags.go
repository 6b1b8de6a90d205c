package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/lade-oci/lade/oci/transport"
)

// registryHelp is appended to the description of every command that can
// reach a registry.
const registryHelp = `

Credentials for a registry come from --creds USER[:PASSWORD] (or
--username with --password), --registry-token, or none with --no-creds;
else from the first credentials file that has an entry for the registry
(or a more specific REGISTRY/NAMESPACE/REPO entry): --authfile,
$REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json,
$HOME/.config/containers/auth.json, $HOME/.docker/config.json (with Docker's
credHelpers and credsStore helpers). "lade login" writes them. Passwords
never appear in logs, errors or output.

TLS: the system's CAs plus *.crt files, and client certificates (*.cert with
*.key), from --cert-dir DIR, else from /etc/containers/certs.d/HOST:PORT/
(and $HOME/.config/containers/certs.d, /etc/docker/certs.d).
--tls-verify=false skips certificate checks and also allows plain HTTP.

Requests that fail for a passing reason (5xx, 408, 429 with Retry-After, a
reset connection, a timeout) are retried up to --retry-times times (default
3; 0, skopeo's default, tries once), with backoff: a request is tried at
most N+1 times, and a blob transfer that fails in the middle is tried again
as a whole N times. A refused connection is not retried. A stalled
connection times out.`

// registryFlags are skopeo's flags for reaching a registry, named with
// prefix ("" for inspect, list-tags and delete; "src-" and "dest-" for
// copy). --authfile and --retry-times are not prefixed: see sharedFlags.
func registryFlags(prefix string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{
			Name:  prefix + "authfile",
			Usage: "read credentials from `PATH` (default: REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json, ~/.docker/config.json)",
		},
		&cli.StringFlag{
			Name:  prefix + "cert-dir",
			Usage: "use the certificates in `DIR` (*.crt CAs, *.cert/*.key client pairs) to reach the registry",
		},
		&cli.StringFlag{
			Name:  prefix + "creds",
			Usage: "`USERNAME[:PASSWORD]` for the registry (no PASSWORD: an empty one, as with skopeo)",
		},
		&cli.StringFlag{
			Name:  prefix + "username",
			Usage: "user `NAME` for the registry (with --" + prefix + "password)",
		},
		&cli.StringFlag{
			Name:  prefix + "password",
			Usage: "`PASSWORD` for the registry (with --" + prefix + "username)",
		},
		&cli.BoolFlag{
			Name:  prefix + "no-creds",
			Usage: "access the registry anonymously",
		},
		&cli.StringFlag{
			Name:  prefix + "registry-token",
			Usage: "bearer `TOKEN` for the registry",
		},
		&cli.BoolFlag{
			Name:  prefix + "tls-verify",
			Value: true,
			Usage: "require HTTPS and verify certificates (--" + prefix + "tls-verify=false also allows plain HTTP)",
		},
	}
}

// sharedFlags are the flags every registry command has once: --authfile
// (for copy, the default of --src-authfile and --dest-authfile) and
// --retry-times.
func sharedFlags(withAuthfile bool) []cli.Flag {
	flags := []cli.Flag{&cli.IntFlag{
		Name:  "retry-times",
		Value: defaultRetryTimes,
		Usage: "retry a request or transfer that failed for a passing reason (5xx, 408, 429, reset connection, timeout) up to `N` times; 0 tries once",
	}}
	if !withAuthfile {
		return flags
	}
	return append(flags, &cli.StringFlag{
		Name:  "authfile",
		Usage: "read credentials from `PATH` (default: REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json, ~/.docker/config.json)",
	})
}

// defaultRetryTimes is how often lade retries a passing failure unless
// told otherwise (skopeo's default is no retry, --retry-times 0; a retried
// 5xx or 429 is never worse than a failed copy). A request is tried at
// most N+1 times: the registry client retries what it can send again, the
// copy engine only a transfer that failed in the middle.
const defaultRetryTimes = 3

// registryOptions reads the flags of registryFlags(prefix) and the shared
// and global flags into transport options for one side.
func registryOptions(c *cli.Context, prefix string) (transport.Options, error) {
	opts := transport.Options{
		AuthFile:      c.String(prefix + "authfile"),
		CertDir:       c.String(prefix + "cert-dir"),
		RegistryToken: c.String(prefix + "registry-token"),
		NoCreds:       c.Bool(prefix + "no-creds"),
		RetryTimes:    c.Int("retry-times"),
		TempDir:       tempDir(c),
	}
	if opts.AuthFile == "" && prefix != "" {
		opts.AuthFile = c.String("authfile")
	}
	if opts.RetryTimes < 0 {
		return transport.Options{}, fmt.Errorf("invalid --retry-times %d: must not be negative", opts.RetryTimes)
	}
	if c.IsSet(prefix + "tls-verify") {
		v := c.Bool(prefix + "tls-verify")
		opts.TLSVerify = &v
	}
	creds, err := credentialsFromFlags(c, prefix)
	if err != nil {
		return transport.Options{}, err
	}
	opts.Credentials = creds
	if opts.NoCreds && (creds != nil || opts.RegistryToken != "") {
		return transport.Options{}, fmt.Errorf("--%sno-creds cannot be used with credentials or a token", prefix)
	}
	if creds != nil && opts.RegistryToken != "" {
		return transport.Options{}, fmt.Errorf("--%sregistry-token cannot be used with credentials", prefix)
	}
	platform, err := hostPlatform(c)
	if err != nil {
		return transport.Options{}, err
	}
	opts.Platform = &platform
	return opts, nil
}

// credentialsFromFlags parses --PREFIXcreds USER[:PASS] or the
// --PREFIXusername/--PREFIXpassword pair; nil when none is given.
func credentialsFromFlags(c *cli.Context, prefix string) (*transport.Credentials, error) {
	userSet, passSet := c.IsSet(prefix+"username"), c.IsSet(prefix+"password")
	if c.IsSet(prefix + "creds") {
		if userSet || passSet {
			return nil, fmt.Errorf("--%screds cannot be used with --%susername or --%spassword", prefix, prefix, prefix)
		}
		// USERNAME alone means an empty password, as skopeo reads it.
		user, pass, _ := strings.Cut(c.String(prefix+"creds"), ":")
		if user == "" {
			return nil, fmt.Errorf("invalid --%screds: empty user name", prefix)
		}
		return &transport.Credentials{Username: user, Password: pass}, nil
	}
	if userSet != passSet {
		return nil, fmt.Errorf("--%susername and --%spassword go together", prefix, prefix)
	}
	if !userSet {
		return nil, nil
	}
	if c.String(prefix+"username") == "" {
		return nil, fmt.Errorf("invalid --%susername: empty", prefix)
	}
	return &transport.Credentials{Username: c.String(prefix + "username"), Password: c.String(prefix + "password")}, nil
}

// askPassword reads a password from the terminal, without echo. Without a
// terminal on standard input it fails: lade never blocks on a pipe.
func askPassword(user string) (string, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("no password given and standard input is not a terminal")
	}
	fmt.Fprintf(os.Stderr, "Password for %s: ", user)
	pass, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(pass), nil
}
