package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/oci/registry"
)

func init() { registerSkopeoCommand(logoutCommand()) }

func logoutCommand() *cli.Command {
	return &cli.Command{
		Name:      "logout",
		Usage:     "remove the stored credentials of a container registry",
		Category:  categoryTransport,
		ArgsUsage: "REGISTRY",
		Description: `Remove the credentials stored for REGISTRY (as "lade login" named it) from
--authfile FILE, else $REGISTRY_AUTH_FILE, else
${XDG_RUNTIME_DIR}/containers/auth.json, or from the credential helper that
file's credHelpers names for it, as "skopeo logout" does. Credentials in
other files (such as ~/.docker/config.json) are left alone. Nothing stored
for REGISTRY is an error ("not logged into REGISTRY").

--all (-a) removes every credential of that file and of the helpers it
names; REGISTRY is then not given. --tls-verify is accepted as by skopeo:
logout makes no connection.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "authfile", Usage: "remove the credentials from `PATH`"},
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "remove the credentials of every registry"},
			&cli.BoolFlag{Name: "tls-verify", Value: true, Usage: "accepted for compatibility with skopeo (logout makes no connection)"},
		},
		Action: runLogout,
	}
}

func runLogout(c *cli.Context) error {
	all := c.Bool("all")
	want, usage := 1, c.Command.ArgsUsage
	if all {
		want, usage = 0, ""
	}
	if err := checkArgs(c, want, usage); err != nil {
		return err
	}
	server := c.Args().First()
	if err := registry.Logout(c.Context, server, all, loginOptions(c)); err != nil {
		return err
	}
	if all {
		fmt.Fprintln(c.App.Writer, "Removed login credentials for all registries")
		return nil
	}
	// The normalized name, as skopeo prints it ("https://HOST/" is HOST).
	key, _, err := registry.LoginKey(server)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "Removed login credentials for %s\n", key)
	return nil
}
