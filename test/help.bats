#!/usr/bin/env bats
# Global help, version and naming.

load helpers

@test "lade --help" {
	for flag in --help -h; do
		lade_ok "$flag"
		[[ "$output" == *"USAGE:"* ]]
		[[ "$output" == *"image:"* && "$output" == *"layout:"* ]]
		for cmd in init new "list, ls" tag "remove, rm" stat gc; do
			[[ "$output" == *"$cmd"* ]] || fail "help lacks $cmd"
		done
		[[ "$output" != *"cpu-profile"* ]]
	done
	lade_ok help
	[[ "$output" == *"USAGE:"* ]]
}

@test "lade COMMAND --help" {
	for cmd in init new ls list tag rm remove stat gc; do
		lade_ok "$cmd" --help
		[[ "$output" == *"DESCRIPTION:"* ]] || fail "$cmd --help has no description"
		lade_ok help "$cmd"
		[[ "$output" == *"DESCRIPTION:"* ]]
	done
}

@test "lade --version" {
	for flag in --version -v; do
		lade_ok "$flag"
		[[ "${#lines[@]}" -eq 4 ]]
		[[ "${lines[0]}" == "lade version "* ]]
		[[ "${lines[1]}" == "image spec: 1."* ]]
		[[ "${lines[2]}" == "runtime spec: 1."* ]]
		[[ "${lines[3]}" == "go: go1."* ]]
	done
}

@test "a symlink named umoci calls itself umoci" {
	ln -s "$LADE" "$TESTDIR/umoci"
	run -0 "$TESTDIR/umoci" --version
	[[ "${lines[0]}" == "umoci version "* ]]
	run -0 "$TESTDIR/umoci" --help
	# umoci's own first lines (umoci 0.6 --help).
	[[ "${lines[0]}" == "NAME:" ]] || fail "${lines[0]}"
	[[ "${lines[1]}" == "   umoci - umoci modifies Open Container images" ]] || fail "${lines[1]}"
	[[ "${lines[2]}" == "USAGE:" ]] || fail "${lines[2]}"
	[[ "${lines[3]}" == "   umoci [global options] command [command options] [arguments...]" ]] || fail "${lines[3]}"
	[[ "$output" != *"lade [global"* ]]
	# lade keeps its own.
	lade_ok --help
	[[ "${lines[1]}" == "   lade - manipulate OCI images on disk (a drop-in replacement for umoci)" ]] || fail "${lines[1]}"
	run -1 "$TESTDIR/umoci" frobnicate
	[[ "$output" == *"see 'umoci --help'"* ]]
}

@test "lade --log levels" {
	layout="$(new_layout img)"
	lade_ok new --image "$layout:a"
	[[ -z "$output" ]]
	lade_ok --log=info new --image "$layout:a"
	[[ "$output" == "   • created new image"* ]]
	lade_ok --verbose new --image "$layout:a"
	[[ "$output" == "   • created new image"* ]]
	lade_ok --log=error new --image "$layout:a"
	[[ -z "$output" ]]
}

@test "lade --cpu-profile" {
	layout="$(new_layout img)"
	lade_ok --cpu-profile "$TESTDIR/cpu.pprof" ls --layout "$layout"
	[[ -s "$TESTDIR/cpu.pprof" ]]
}

@test "lade [invalid arguments]" {
	lade_fail --log=loud ls --layout x
	[[ "$output" == *"invalid --log value"* ]]
	lade_fail --log=info --verbose ls --layout x
	[[ "$output" == *"mutually exclusive"* ]]
	lade_fail frobnicate
	[[ "$output" == *'unknown command "frobnicate"'* ]]
	lade_fail --frobnicate
	[[ "$output" == *"flag provided but not defined: --frobnicate"* ]]
	lade_fail ls --frobnicate
	lade_fail ls --layout
	[[ "$output" == *"flag needs an argument: --layout"* ]]
}

@test "lade raw and lade index refuse unknown subcommands" {
	lade_fail raw nope
	[[ "$output" == *'unknown command "raw nope"'* ]]
	lade_fail index nope
	[[ "$output" == *'unknown command "index nope"'* ]]
	lade raw
	[[ "$status" -eq 0 ]]
	[[ "$output" == *"add-layer"* ]]
}
