package main

import (
	"context"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/oci/compress"
	"github.com/lade-oci/lade/oci/peek"
)

// argKind is what a positional argument is, for completion.
type argKind int

const (
	argNone      argKind = iota // nothing to offer
	argFlags                    // the command takes no arguments: offer its flags
	argFile                     // a file on the host
	argDir                      // a directory on the host
	argImage                    // an image PATH[:TAG]
	argSourceTag                // a tag of the --image layout
	argShell                    // a shell name (completion)
	argCommand                  // a command name (help)
)

// positionalKind is the kind of positional argument i of the command at
// path. A command not listed takes files if its --help names arguments,
// else none (its flags are offered).
func positionalKind(cmd *cli.Command, path string, i int) argKind {
	if len(visibleSubcommands(cmd.Subcommands)) > 0 {
		return argNone // an unknown subcommand
	}
	switch path {
	case "unpack", "repack", "raw unpack":
		return pick(i == 0, argDir)
	case "export", "raw runtime-config", "raw add-layer":
		return pick(i == 0, argFile)
	case "insert": // <source> <target> pairs
		return pick(i%2 == 0, argFile)
	case "diff":
		return pick(i < 2, argImage)
	case "index create", "index add":
		return argSourceTag
	case "tag":
		return argNone
	case "completion":
		return pick(i == 0, argShell)
	case "help":
		return pick(i == 0, argCommand)
	}
	if cmd.ArgsUsage != "" {
		return argFile
	}
	return argFlags
}

func pick(cond bool, k argKind) argKind {
	if cond {
		return k
	}
	return argNone
}

// completeArg completes positional argument number len(st.args).
func completeArg(ctx context.Context, st *lineState, cur string) completion {
	switch positionalKind(st.cmd, strings.Join(st.path, " "), len(st.args)) {
	case argFlags:
		return completion{action: actionNone, words: flagCandidates(st, cur)}
	case argFile:
		return completion{action: actionFiles}
	case argDir:
		return completion{action: actionDirs}
	case argImage:
		return completeImage(ctx, "", cur)
	case argSourceTag:
		layout, _, _ := strings.Cut(st.values["image"], ":")
		return completion{action: actionNone, words: fixed("", cur, layoutTags(ctx, layout))}
	case argShell:
		return completion{action: actionNone, words: fixed("", cur, completionShells())}
	case argCommand:
		return completion{action: actionNone, words: commandCandidates(rootCommand(st.app), cur)}
	}
	return completion{action: actionNone}
}

// completeValue completes the value val of flag f; prefix ("--flag=" or
// "") goes before every candidate.
func completeValue(ctx context.Context, st *lineState, f cli.Flag, prefix, val string) completion {
	none := completion{action: actionNone, prefix: prefix}
	switch f.Names()[0] {
	case "image":
		return completeImage(ctx, prefix, val)
	case "layout":
		return completion{action: actionLayouts, prefix: prefix}
	case "platform":
		return completion{action: actionNone, words: fixed(prefix, val, imagePlatforms(ctx, st))}
	case "log":
		return completion{action: actionNone, words: fixed(prefix, val, logLevelNames)}
	case "compress":
		names := []string{compress.None.Name(), compress.Gzip.Name(), compress.Zstd.Name()}
		if d, ok := f.(cli.DocGenerationFlag); ok && !slices.Contains(names, d.GetValue()) {
			names = append(names, d.GetValue()) // "auto" where it is the default
		}
		return completion{action: actionNone, words: fixed(prefix, val, names)}
	case "clear":
		return completion{action: actionNone, words: fixed(prefix, val, clearKeyNames())}
	case "mask-path", "config.volume", "config.workingdir", "whiteout":
		return none // paths inside the image
	}
	// Other flags by their placeholder: --rootfs DIR, --authfile FILE.
	names, _ := flagUsage(f)
	if fields := strings.Fields(names); len(fields) > 1 {
		switch p := fields[1]; {
		case strings.Contains(p, "DIR"):
			return completion{action: actionDirs, prefix: prefix}
		case strings.Contains(p, "FILE") || strings.Contains(p, "PATH"):
			return completion{action: actionFiles, prefix: prefix}
		}
	}
	return none
}

// completeImage completes an image PATH[:TAG]: the layout's tags once a ':'
// is typed, else directories and archives.
func completeImage(ctx context.Context, prefix, val string) completion {
	layout, tag, ok := strings.Cut(val, ":")
	if !ok {
		return completion{action: actionLayouts, prefix: prefix}
	}
	return completion{action: actionNone, words: fixed(prefix+layout+":", tag, layoutTags(ctx, layout))}
}

// fixed returns prefix+v for every v of values that starts with cur.
func fixed(prefix, cur string, values []string) []candidate {
	var out []candidate
	for _, v := range values {
		if strings.HasPrefix(v, cur) {
			out = append(out, candidate{word: prefix + v})
		}
	}
	return out
}

// layoutTags returns the tags of the layout or archive at layout as typed
// (a leading "~/" is the home directory); none when it cannot be read.
func layoutTags(ctx context.Context, layout string) []string {
	if layout == "" {
		return nil
	}
	tags, err := peek.Tags(ctx, expandHome(layout))
	if err != nil {
		return nil
	}
	return tags
}

// imagePlatforms returns the platforms of the image that --image (or, for
// diff, the first image argument) names, when it is a multi-platform index.
func imagePlatforms(ctx context.Context, st *lineState) []string {
	ref, ok := st.values["image"]
	for i, a := range st.args {
		if !ok && positionalKind(st.cmd, strings.Join(st.path, " "), i) == argImage {
			ref, ok = a, true
		}
	}
	layout, tag, found := strings.Cut(ref, ":")
	if !found {
		tag = defaultTag
	}
	if layout == "" {
		return nil
	}
	platforms, err := peek.Platforms(ctx, expandHome(layout), tag)
	if err != nil {
		return nil
	}
	return platforms
}

// expandHome replaces a leading "~/" by $HOME, as the shell would have.
func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return home + "/" + rest
		}
	}
	return p
}

// logLevelNames are the values of --log that completion offers (each one
// is accepted by parseLogLevel).
var logLevelNames = []string{"debug", "info", "warn", "error", "fatal"}

// clearKeyNames are the canonical keys of config --clear, sorted.
func clearKeyNames() []string {
	var keys []string
	for _, canon := range clearKeys {
		if !slices.Contains(keys, canon) {
			keys = append(keys, canon)
		}
	}
	slices.Sort(keys)
	return keys
}
