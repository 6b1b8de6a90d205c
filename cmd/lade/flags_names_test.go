package main

import (
	"io"
	"reflect"
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

// inner returns the flag a withCachedNames wrapper holds (nil if f is not
// one).
func inner(f cli.Flag) cli.Flag {
	switch f := f.(type) {
	case *namedBool:
		return f.BoolFlag
	case *namedString:
		return f.StringFlag
	case *namedStringSlice:
		return f.StringSliceFlag
	case *namedInt:
		return f.IntFlag
	case *namedDuration:
		return f.DurationFlag
	case *namedGeneric:
		return f.GenericFlag
	}
	return nil
}

// flagInterfaces are the interfaces urfave/cli and lade ask of a flag.
var flagInterfaces = []reflect.Type{
	reflect.TypeFor[cli.DocGenerationFlag](),
	reflect.TypeFor[cli.DocGenerationSliceFlag](),
	reflect.TypeFor[cli.RequiredFlag](),
	reflect.TypeFor[cli.VisibleFlag](),
	reflect.TypeFor[cli.CategorizableFlag](),
	reflect.TypeFor[cli.ActionableFlag](),
	reflect.TypeFor[cli.Countable](),
	reflect.TypeFor[interface{ GetDefaultText() string }](),
}

// TestFlagNamesCached checks that every flag of every command (and the
// global ones, help and version) answers Names from its cached list, with
// the names urfave/cli computes, and keeps every interface of the flag it
// wraps.
func TestFlagNamesCached(t *testing.T) {
	app := newApp("lade", io.Discard, io.Discard)
	all := map[string][]cli.Flag{"global": app.Flags, "help": {cli.HelpFlag}, "version": {cli.VersionFlag}}
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			all[prefix+c.Name] = c.Flags
			walk(prefix+c.Name+" ", c.Subcommands)
		}
	}
	walk("", app.Commands)
	n := 0
	for cmd, flags := range all {
		for _, f := range flags {
			in := inner(f)
			if in == nil {
				t.Errorf("%s: flag %v (%T) is not wrapped", cmd, f.Names(), f)
				continue
			}
			n++
			if got, want := f.Names(), in.Names(); !slices.Equal(got, want) {
				t.Errorf("%s: Names() = %q, want %q", cmd, got, want)
			}
			for _, it := range flagInterfaces {
				if reflect.TypeOf(f).Implements(it) != reflect.TypeOf(in).Implements(it) {
					t.Errorf("%s: flag %v: wrapper and %T differ on %v", cmd, f.Names(), in, it)
				}
			}
			// The cached list is what Names returns, not a copy made per call.
			if a, b := f.Names(), f.Names(); len(a) > 0 && &a[0] != &b[0] {
				t.Errorf("%s: flag %v: Names computed per call", cmd, f.Names())
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d flags checked", n)
	}
}

func TestFlagNamesLikeUrfave(t *testing.T) {
	for _, c := range []struct {
		name    string
		aliases []string
	}{
		{"layout", nil},
		{"image", []string{"i"}},
		{"v1, style", []string{"a b", ",lead", "trail,", " "}},
		{"", nil},
		{"x,,y  z", []string{"ü, ß"}},
	} {
		if got, want := flagNames(c.name, c.aliases), cli.FlagNames(c.name, c.aliases); !slices.Equal(got, want) {
			t.Errorf("flagNames(%q, %q) = %q, want %q", c.name, c.aliases, got, want)
		}
	}
}
