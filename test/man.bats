#!/usr/bin/env bats
# Man pages: generated from the command definitions, installed by
# `make install`, rendered by groff without warnings, and listing every
# command and flag that --help lists.

load helpers

# mangen DIR: write the man pages into DIR with the build of lade that has
# the generator (make mangen); the binary make builds leaves it out.
mangen() {
	if [[ ! -x "$LADE_MANGEN" ]]; then
		(cd "$LADE_ROOT" && CGO_ENABLED=0 go build -o "$LADE_MANGEN" ./cmd/lade) >&2
	fi
	run "$LADE_MANGEN" __man "$@"
	[[ "$status" -eq 0 ]] || fail "__man $* failed with status $status: $output"
}

# render PAGE: the page as plain text, on lines long enough that groff
# breaks nothing.
render() {
	groff -man -Tascii -P-cbou -rLL=250n "$1" 2>/dev/null
}

# help_names: the names of the flag or command lines of a --help section
# (SECTION given as the regex of its heading) read from stdin, one per line,
# sorted; "help, h" left out.
help_names() {
	awk -v sec="$1" '
		/^[A-Z]/ { in_sec = ($0 ~ "^" sec ":$"); next }
		in_sec && /^ +[^ ]/ {
			sub(/^ +/, ""); split($0, cols, /  +/); n = split(cols[1], names, /, /)
			for (i = 1; i <= n; i++) { split(names[i], w, / /); if (w[1] !~ /:$/ && w[1] != "help" && w[1] != "h" && w[1] != "[") print w[1] }
		}' | sort -u
}

# page_names: the same for a section of a page's roff source (stdin): the
# terms of its tagged paragraphs (.TP), fonts removed.
page_names() {
	awk -v sec="$1" '
		/^\.SH / { in_sec = (substr($0, 5) == sec); next }
		in_sec && prev == ".TP" {
			t = $0; gsub(/\\f[BIRP]/, "", t); n = split(t, names, /, /)
			for (i = 1; i <= n; i++) { split(names[i], w, / /); if (w[1] != "[") print w[1] }
		}
		{ prev = $0 }' | sort -u
}

# section NAME: the lines of section NAME of a rendered page (stdin).
section() {
	awk -v sec="$1" '/^[A-Z]/ { in_sec = ($0 == sec); next } in_sec'
}

@test "lade __man writes a page per command that groff renders without warnings" {
	mangen "$TESTDIR/man/man1"
	[[ -z "$output" ]]
	cd "$TESTDIR/man"
	local n=0 page
	for page in man1/*.1; do
		run groff -man -ww -z "$page"
		[[ "$status" -eq 0 && -z "$output" ]] || fail "groff $page: $output"
		n=$((n + 1))
	done
	((n >= 30)) || fail "only $n pages"
	for page in lade lade-unpack lade-raw-unpack lade-index-create lade-completion lade-rm lade-ls; do
		[[ -s "man1/$page.1" ]] || fail "no page $page"
	done
	# Aliases are .so links to the command's page.
	[[ "$(cat man1/lade-rm.1)" == ".so man1/lade-remove.1" ]]
	render man1/lade-rm.1 | grep -q '^NAME'
}

@test "the binary make builds leaves the man page generator and its Markdown libraries out" {
	lade __man "$TESTDIR/man1"
	[[ "$status" -ne 0 && ! -e "$TESTDIR/man1" ]]
	if command -v go >/dev/null; then
		run go version -m "$LADE"
		[[ "$status" -eq 0 ]]
		! grep -q 'blackfriday\|go-md2man' <<<"$output" || fail "linked: $output"
	fi
}

@test "every command and flag of --help is in its page" {
	mangen "$TESTDIR/man1"
	local page text path sec want got name checked=0
	for page in "$TESTDIR"/man1/*.1; do
		[[ "$(head -c 4 "$page")" != ".so " ]] || continue
		text="$(render "$page")"
		for sec in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
			grep -qx "$sec" <<<"$text" || fail "$page: no $sec section"
		done
		# The command path, from the SYNOPSIS line "lade [global options] PATH [options]...".
		path="$(sed -n '/^SYNOPSIS$/{n;p;q}' <<<"$text" | sed -E 's/^ *lade \[global options\] ?//; s/ ?(\[options\]|command).*//')"
		help="$("$LADE" $path --help)"
		for sec in OPTIONS COMMANDS; do
			want="$(help_names "$sec|GLOBAL $sec" <<<"$help")"
			got="$(page_names "$sec" <"$page")"
			[[ "$got" == "$want" ]] || fail "$page ($path): $sec has
$got
--help has
$want"
			# And the rendered page shows each of them.
			for name in $want; do
				section "$sec" <<<"$text" | grep -qE -- "(^| )$name(,| |$)" || fail "$page: $name not shown in $sec"
			done
		done
		[[ -n "$(help_names 'OPTIONS|GLOBAL OPTIONS' <<<"$help")" ]]
		checked=$((checked + 1))
	done
	((checked >= 25)) || fail "only $checked pages checked"
}

@test "make install puts pages and completion scripts under DESTDIR/PREFIX, and the umoci ones with the link" {
	requires make go
	local root="$TESTDIR/root"
	run make -C "$LADE_ROOT" --no-print-directory install-umoci-link DESTDIR="$root" PREFIX=/opt/lade
	[[ "$status" -eq 0 ]] || fail "make install-umoci-link: $output"
	local p=/opt/lade/share
	for f in /opt/lade/bin/lade $p/man/man1/lade.1 $p/man/man1/lade-unpack.1 $p/man/man1/lade-index-create.1 \
		$p/man/man1/umoci.1 $p/man/man1/umoci-raw-unpack.1 \
		$p/bash-completion/completions/lade $p/zsh/site-functions/_lade $p/fish/vendor_completions.d/lade.fish \
		$p/bash-completion/completions/umoci $p/zsh/site-functions/_umoci $p/fish/vendor_completions.d/umoci.fish; do
		[[ -s "$root$f" ]] || fail "missing $f"
	done
	[[ "$(readlink "$root/opt/lade/bin/umoci")" == lade ]]
	[[ "$(cat "$root$p/man/man1/umoci-unpack.1")" == ".so man1/lade-unpack.1" ]]
	# An alias's umoci page points straight at the command's page.
	[[ "$(cat "$root$p/man/man1/umoci-rm.1")" == ".so man1/lade-remove.1" ]]
	grep -q 'complete -F _umoci_complete umoci' "$root$p/bash-completion/completions/umoci"
	grep -q '^#compdef umoci' "$root$p/zsh/site-functions/_umoci"

	cd "$root$p/man"
	local page n=0
	for page in man1/*.1; do
		run groff -man -ww -z "$page"
		[[ "$status" -eq 0 && -z "$output" ]] || fail "groff $page: $output"
		n=$((n + 1))
	done
	((n >= 60)) || fail "only $n pages"
	render man1/umoci-unpack.1 | grep -q 'lade-unpack - unpack'
}
