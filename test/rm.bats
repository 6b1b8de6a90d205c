#!/usr/bin/env bats
# lade rm/remove --image PATH[:TAG]

load helpers

@test "lade rm" {
	layout="$(new_layout img)"
	new_image "$layout" a
	new_image "$layout" b
	blobs="$(ls "$layout/blobs/sha256" | wc -l)"
	lade_ok rm --image "$layout:a"
	[[ -z "$output" ]]
	[[ "$(tags "$layout")" == "b" ]]
	# Blobs stay until gc.
	[[ "$(ls "$layout/blobs/sha256" | wc -l)" -eq "$blobs" ]]
	lade_ok remove --image "$layout:b"
	[[ -z "$(tags "$layout")" ]]
	run -0 jq -e '.manifests == []' "$layout/index.json"
	image-verify "$layout"
}

@test "lade rm of a missing tag succeeds" {
	layout="$(new_layout img)"
	new_image "$layout" a
	lade_ok rm --image "$layout:nope"
	lade_ok rm --image "$layout"
	[[ "$(tags "$layout")" == "a" ]]
}

@test "lade rm removes every entry of a tag" {
	layout="$(new_layout img)"
	new_image "$layout" a
	new_image "$layout" b
	jq -c '.manifests += [.manifests[0]]' "$layout/index.json" >"$TESTDIR/index.json"
	mv "$TESTDIR/index.json" "$layout/index.json"
	[[ "$(tags "$layout")" == "a b a" ]]
	lade_ok rm --image "$layout:a"
	[[ "$(tags "$layout")" == "b" ]]
}

@test "lade rm [invalid arguments]" {
	layout="$(new_layout img)"
	new_image "$layout" a
	lade_fail rm
	[[ "$output" == *"missing mandatory argument: --image"* ]]
	lade_fail rm --image "$layout:a" extra
	lade_fail rm extra --image "$layout:a"
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail rm --image "$layout:"
	lade_fail rm --image "$layout:a b"
	lade_fail rm --image ":a"
	lade_fail rm --image "$TESTDIR/missing:a"
	[[ "$(tags "$layout")" == "a" ]]
}
