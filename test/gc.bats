#!/usr/bin/env bats
# lade gc --layout PATH

load helpers

@test "lade gc" {
	layout="$(new_layout img)"
	new_image "$layout" keep
	SOURCE_DATE_EPOCH=7 new_image "$layout" drop
	echo stray >"$layout/blobs/sha256/$(echo stray | sha256sum | cut -d' ' -f1)"
	[[ "$(ls "$layout/blobs/sha256" | wc -l)" -eq 5 ]]
	lade_ok rm --image "$layout:drop"
	lade_ok gc --layout "$layout"
	[[ -z "$output" ]]
	[[ "$(ls "$layout/blobs/sha256" | wc -l)" -eq 2 ]]
	image-verify "$layout"
	lade_ok stat --image "$layout:keep"
	# A second gc has nothing to do.
	lade_ok gc --layout "$layout"
	[[ "$(ls "$layout/blobs/sha256" | wc -l)" -eq 2 ]]
}

@test "lade gc keeps untagged index entries" {
	layout="$(copy_example img)"
	# Untag "demo": its entry stays in index.json, so its blobs must stay.
	jq -c '.manifests[1].annotations = {}' "$layout/index.json" >"$TESTDIR/index.json"
	mv "$TESTDIR/index.json" "$layout/index.json"
	lade_ok gc --layout "$layout"
	# Left: both manifests, their configs and the two layers. Gone: the
	# manifests and configs of the intermediate images umoci wrote.
	run -0 bash -c "ls '$layout/blobs/sha256' | cut -c1-8 | paste -sd' ' -"
	[[ "$output" == "11c07047 37fd90e9 bb9ae63f c364d6c7 caefabb2 eb465608" ]]
	lade_ok --verbose gc --layout "$layout"
	[[ "$output" == *"   • "* ]]
}

@test "lade gc of an empty layout" {
	layout="$(new_layout img)"
	lade_ok gc --layout "$layout"
	image-verify "$layout"
}

@test "lade gc refuses a layout with a missing manifest" {
	layout="$(new_layout img)"
	new_image "$layout" a
	echo extra >"$layout/blobs/sha256/$(echo extra | sha256sum | cut -d' ' -f1)"
	rm "$layout/blobs/sha256/$(jq -r '.manifests[0].digest' "$layout/index.json" | cut -d: -f2)"
	lade_fail gc --layout "$layout"
	# Nothing was deleted.
	[[ "$(ls "$layout/blobs/sha256" | wc -l)" -eq 2 ]]
}

@test "lade gc [invalid arguments]" {
	layout="$(new_layout img)"
	lade_fail gc
	[[ "$output" == *"missing mandatory argument: --layout"* ]]
	lade_fail gc --layout ""
	lade_fail gc --layout "$layout:x"
	lade_fail gc --layout "$layout" extra
	lade_fail gc extra --layout "$layout"
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail gc --image "$layout"
	lade_fail gc --layout "$TESTDIR/missing"
	[[ "$output" == *"open CAS"* ]]
}

@test "lade gc --dry-run" {
	layout="$(new_layout img)"
	new_image "$layout" keep
	SOURCE_DATE_EPOCH=7 new_image "$layout" drop
	dropped="$(jq -r '.manifests[1].digest' "$layout/index.json")"
	stray="$(echo stray | sha256sum | cut -d' ' -f1)"
	echo stray >"$layout/blobs/sha256/$stray"
	lade_ok rm --image "$layout:drop"
	run -0 --separate-stderr "$LADE" gc --dry-run --layout "$layout"
	[[ "${#lines[@]}" -eq 3 && -z "$stderr" ]]
	[[ "$output" == *"$dropped"* && "$output" == *"sha256:$stray"* ]]
	[[ "$output" == "$(sort <<<"$output")" ]]
	listed="$output"
	# Nothing was deleted.
	[[ "$(ls "$layout/blobs/sha256" | wc -l)" -eq 5 ]]
	run -0 --separate-stderr "$LADE" --verbose gc --dry-run --layout "$layout"
	[[ "$stderr" == *"blobs_unreachable=3"* ]]
	# gc then removes exactly those blobs, and says so with --verbose.
	run -0 --separate-stderr "$LADE" --verbose gc --layout "$layout"
	[[ -z "$output" && "$stderr" == *"blobs_removed=3 bytes_removed="* ]]
	for d in $listed; do
		[[ ! -e "$layout/blobs/sha256/${d#sha256:}" ]]
	done
	[[ "$(ls "$layout/blobs/sha256" | wc -l)" -eq 2 ]]
	lade_ok gc --dry-run --layout "$layout"
	[[ -z "$output" ]]
	image-verify "$layout"
}

@test "lade gc --dry-run refuses a layout with a missing manifest" {
	layout="$(new_layout img)"
	new_image "$layout" a
	rm "$layout/blobs/sha256/$(jq -r '.manifests[0].digest' "$layout/index.json" | cut -d: -f2)"
	lade_fail gc --dry-run --layout "$layout"
	[[ "$(ls "$layout/blobs/sha256" | wc -l)" -eq 1 ]]
	lade_ok gc --help
	[[ "$output" == *"--dry-run"* ]]
}
