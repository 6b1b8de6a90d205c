#!/usr/bin/env bats
# lade validate --layout PATH | --image PATH[:TAG]

load helpers

# blob_of LAYOUT TAG: the path of the blob TAG points at.
blob_of() {
	local d
	d="$(jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$1/index.json")"
	echo "$1/blobs/sha256/${d#sha256:}"
}

@test "lade validate of valid layouts" {
	layout="$(new_layout img)"
	lade_ok validate --layout "$layout"
	[[ -z "$output" ]]
	new_image "$layout" a
	echo hi >"$TESTDIR/hi"
	lade_ok insert --rootless --image "$layout:a" "$TESTDIR/hi" /hi
	lade_ok validate --layout "$layout"
	[[ -z "$output" ]]
	lade_ok validate --image "$layout:a"
	[[ -z "$output" ]]
	example="$(copy_example ex)"
	lade_ok validate --layout "$example"
	[[ -z "$output" ]]
	lade_ok validate --image "$example:demo"
}

@test "lade validate of a layout written by umoci" {
	requires umoci
	umoci_image "$TESTDIR/img" one
	lade_ok validate --layout "$TESTDIR/img"
	[[ -z "$output" ]]
	lade_ok validate --image "$TESTDIR/img:one"
}

@test "lade validate reports each problem on one line" {
	layout="$(new_layout img)"
	new_image "$layout" good
	echo hi >"$TESTDIR/hi"
	new_image "$layout" bad
	lade_ok insert --rootless --image "$layout:bad" "$TESTDIR/hi" /hi
	# An unreferenced garbage blob is not a problem.
	echo stray >"$layout/blobs/sha256/$(printf 0%.0s {1..64})"
	lade_ok validate --layout "$layout"

	layer="$(jq -r '.layers[0].digest' "$(blob_of "$layout" bad)")"
	rm "$layout/blobs/sha256/${layer#sha256:}"
	run "$LADE" validate --layout "$layout"
	[[ "$status" -eq 1 ]]
	run -1 --separate-stderr "$LADE" validate --layout "$layout"
	[[ "${#lines[@]}" -eq 1 ]]
	[[ "${lines[0]}" == *'(tag "bad")'*"blob $layer is missing" ]]
	[[ "$stderr" == *"validate: 1 problem found" ]]
	# Only the broken image's graph is broken.
	lade_ok validate --image "$layout:good"
	run -1 --separate-stderr "$LADE" validate --image "$layout:bad"
	[[ "$output" == *"$layer"* ]]

	# A manifest that lies about its config.
	manifest="$(blob_of "$layout" good)"
	chmod u+w "$manifest"
	echo '{}' >"$manifest"
	run -1 --separate-stderr "$LADE" validate --layout "$layout"
	[[ "${#lines[@]}" -eq 2 ]]
	[[ "$stderr" == *"validate: 2 problems found" ]]
}

@test "lade validate [invalid arguments]" {
	layout="$(new_layout img)"
	lade_fail validate
	[[ "$output" == *"missing mandatory argument: --layout (or --image)"* ]]
	lade_fail validate --layout "$layout" --image "$layout"
	[[ "$output" == *"mutually exclusive"* ]]
	lade_fail validate --layout "$layout" extra
	lade_fail validate extra --layout "$layout"
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail validate --image "$layout:absent"
	[[ "$output" == *"tag not found: absent"* ]]
	lade_fail validate --layout "$TESTDIR/missing"
	[[ "$output" == *"open CAS"* ]]
	lade_ok validate --help
	[[ "$output" == *"--image PATH[:TAG]"* && "$output" == *"--layout PATH"* ]]
}
