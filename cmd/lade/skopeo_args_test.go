package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestReorderSkopeoArgs(t *testing.T) {
	app := &cli.App{
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "log"},
			&cli.BoolFlag{Name: "insecure-policy"},
			&cli.StringFlag{Name: "override-arch"},
		},
		Commands: []*cli.Command{
			{Name: "fakecopy", Aliases: []string{"fc"}, Flags: []cli.Flag{
				&cli.BoolFlag{Name: "all", Aliases: []string{"a"}},
				&cli.StringFlag{Name: "format", Aliases: []string{"f"}},
				&cli.BoolFlag{Name: "src-tls-verify"},
			}},
			{Name: "umocicmd", Flags: []cli.Flag{&cli.StringFlag{Name: "image"}}},
		},
	}
	skopeoCommands["fakecopy"] = true
	t.Cleanup(func() { delete(skopeoCommands, "fakecopy") })
	for _, tc := range []struct{ in, want string }{
		{"lade fakecopy a b", "lade fakecopy a b"},
		{"lade fakecopy a b --all", "lade fakecopy --all a b"},
		{"lade fakecopy a --format oci b -a", "lade fakecopy --format oci -a a b"},
		{"lade fakecopy a b --src-tls-verify=false -f=v2s2", "lade fakecopy --src-tls-verify=false -f=v2s2 a b"},
		{"lade --log info fakecopy a --insecure-policy b", "lade --log info --insecure-policy fakecopy a b"},
		{"lade fc a --override-arch arm64 b", "lade --override-arch arm64 fc a b"},
		{"lade fakecopy a -- --all b", "lade fakecopy a -- --all b"},
		{"lade fakecopy a --unknown b", "lade fakecopy --unknown a b"},
		{"lade fakecopy a --format", "lade fakecopy --format"},
		{"lade fakecopy --all a --format", "lade fakecopy --all --format"},
		{"lade umocicmd x --image y", "lade umocicmd x --image y"},
		{"lade --log", "lade --log"},
		{"lade -- fakecopy a --all", "lade -- fakecopy a --all"},
	} {
		got := strings.Join(reorderSkopeoArgs(app, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("reorder(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	in := []string{"lade", "fakecopy", "a", "-"}
	if got := reorderSkopeoArgs(app, in); !slices.Equal(got, in) {
		t.Errorf("\"-\" must stay a positional argument: %q", got)
	}
}

func TestHelpArgs(t *testing.T) {
	app := &cli.App{
		Flags: []cli.Flag{&cli.StringFlag{Name: "log"}},
		Commands: []*cli.Command{
			{Name: "fakecopy", Flags: []cli.Flag{&cli.StringFlag{Name: "format", Aliases: []string{"f"}}}},
			{Name: "umocicmd", Flags: []cli.Flag{&cli.StringFlag{Name: "image"}}},
			{Name: "group", Subcommands: []*cli.Command{{Name: "sub", Flags: []cli.Flag{&cli.StringFlag{Name: "image"}}}}},
		},
	}
	skopeoCommands["fakecopy"] = true
	t.Cleanup(func() { delete(skopeoCommands, "fakecopy") })
	for _, tc := range []struct{ in, want string }{
		{"lade fakecopy a b --help", "lade fakecopy --help"},
		{"lade fakecopy --help a b", "lade fakecopy --help"},
		{"lade --log info fakecopy a -h", "lade --log info fakecopy --help"},
		{"lade fakecopy -f --help a", "lade fakecopy -f --help a"}, // --help is -f's value
		{"lade fakecopy a -- --help", "lade fakecopy a -- --help"},
		{"lade umocicmd --image x --help bundle", "lade umocicmd --help"},
		{"lade umocicmd bundle --help", "lade umocicmd bundle --help"}, // a misplaced flag, reported as such
		{"lade group sub --help x", "lade group sub --help"},
		{"lade fakecopy a b", "lade fakecopy a b"},
		{"lade --help", "lade --help"},
	} {
		got := strings.Join(helpArgs(app, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("helpArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
