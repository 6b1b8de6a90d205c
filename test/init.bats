#!/usr/bin/env bats
# lade init --layout PATH

load helpers

@test "lade init" {
	lade_ok init --layout "$TESTDIR/img"
	[[ -z "$output" ]]
	[[ -d "$TESTDIR/img/blobs/sha256" ]]
	[[ -z "$(ls -A "$TESTDIR/img/blobs/sha256")" ]]
	run -0 jq -c . "$TESTDIR/img/oci-layout"
	[[ "$output" == '{"imageLayoutVersion":"1.0.0"}' ]]
	run -0 jq -e '.schemaVersion == 2 and .manifests == []' "$TESTDIR/img/index.json"
	image-verify "$TESTDIR/img"
	lade_ok ls --layout "$TESTDIR/img"
	[[ -z "$output" ]]
}

@test "lade init creates missing parents" {
	lade_ok init --layout "$TESTDIR/a/b/c/img"
	image-verify "$TESTDIR/a/b/c/img"
	[[ "$(stat -c %a "$TESTDIR/a/b")" == 755 ]] || [[ "$(umask)" != 0022 ]]
}

@test "lade init refuses an existing path" {
	mkdir "$TESTDIR/dir"
	lade_fail init --layout "$TESTDIR/dir"
	[[ "$output" == *"already exists"* ]]
	touch "$TESTDIR/file"
	lade_fail init --layout "$TESTDIR/file"
	layout="$(new_layout img)"
	lade_fail init --layout "$layout"
	image-verify "$layout"
}

@test "lade init [invalid arguments]" {
	lade_fail init
	[[ "$output" == *"missing mandatory argument: --layout"* ]]
	lade_fail init --layout ""
	lade_fail init --layout "$TESTDIR/a:b"
	[[ "$output" == *"may not contain ':'"* ]]
	[[ ! -e "$TESTDIR/a:b" ]]
	lade_fail init --layout "$TESTDIR/x" extra
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail init "$TESTDIR/x" --layout "$TESTDIR/x"
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail init --image "$TESTDIR/x"
	[[ ! -e "$TESTDIR/x" ]]
}
