#!/usr/bin/env bats
# lade tag --image PATH[:TAG] NEWTAG

load helpers

@test "lade tag" {
	layout="$(new_layout img)"
	new_image "$layout" a
	lade_ok tag --image "$layout:a" b
	[[ -z "$output" ]]
	lade_ok tag --image "$layout:b" "c:with:colons"
	[[ "$(tags "$layout")" == "a b c:with:colons" ]]
	run -0 jq -r '[.manifests[].digest] | unique | length' "$layout/index.json"
	[[ "$output" == 1 ]]
	image-verify "$layout"
}

@test "lade tag replaces an existing tag and moves it to the end" {
	layout="$(new_layout img)"
	new_image "$layout" a
	SOURCE_DATE_EPOCH=5 new_image "$layout" b
	new_image "$layout" c
	lade_ok tag --image "$layout:b" a
	[[ "$(tags "$layout")" == "b c a" ]]
	run -0 jq -e '.manifests[0].digest == .manifests[2].digest' "$layout/index.json"
	lade_ok tag --image "$layout:a" a
	[[ "$(tags "$layout")" == "b c a" ]]
	image-verify "$layout"
}

@test "lade tag of an index points at the manifest" {
	layout="$(new_layout img)"
	new_image "$layout" img
	desc="$(jq -c '.manifests[0] | .annotations = {"org.example.a": "b"}' "$layout/index.json")"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$desc" \
		>"$TESTDIR/index-blob"
	digest="$(sha256sum <"$TESTDIR/index-blob" | cut -d' ' -f1)"
	size="$(stat -c %s "$TESTDIR/index-blob")"
	cp "$TESTDIR/index-blob" "$layout/blobs/sha256/$digest"
	jq -c --arg d "sha256:$digest" --argjson s "$size" '.manifests += [{"mediaType":"application/vnd.oci.image.index.v1+json",
		"digest": $d, "size": $s, "annotations": {"org.opencontainers.image.ref.name": "multi"}}]' \
		"$layout/index.json" >"$TESTDIR/index.json"
	mv "$TESTDIR/index.json" "$layout/index.json"

	lade_ok tag --image "$layout:multi" flat
	run -0 jq -e '.manifests[2] | .mediaType == "application/vnd.oci.image.manifest.v1+json"
		and .annotations == {"org.example.a": "b", "org.opencontainers.image.ref.name": "flat"}' "$layout/index.json"
	run -0 jq -e '.manifests[0].digest == .manifests[2].digest' "$layout/index.json"
	image-verify "$layout"
}

@test "lade tag [invalid arguments]" {
	layout="$(new_layout img)"
	new_image "$layout" a
	lade_fail tag --image "$layout:a"
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail tag --image "$layout:a" b c
	lade_fail tag b --image "$layout:a"
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail tag --image "$layout:a" b --image "$layout:a"
	lade_fail tag --image "$layout:a" ""
	[[ "$output" == *"invalid new tag"* ]]
	lade_fail tag --image "$layout:a" "a b"
	lade_fail tag --image "$layout:a" "-x"
	lade_fail tag --image "$layout:a" "trailing-"
	lade_fail tag --image "$layout:a" "a//b"
	lade_fail tag --image "$layout:" b
	lade_fail tag --image "$layout:missing" b
	[[ "$output" == *"tag not found"* ]]
	lade_fail tag --image "$TESTDIR/missing:a" b
	lade_fail tag b
	[[ "$(tags "$layout")" == "a" ]]
	image-verify "$layout"
}

@test "lade tag: 20 concurrent processes lose no tag" {
	layout="$(new_layout img)"
	new_image "$layout" base
	pids=()
	for i in $(seq 1 20); do
		"$LADE" tag --image "$layout:base" "t$i" &
		pids+=("$!")
	done
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
	run -0 jq -e . "$layout/index.json"
	lade_ok ls --layout "$layout"
	[[ "${#lines[@]}" -eq 21 ]]
	for i in $(seq 1 20); do
		[[ " ${lines[*]} " == *" t$i "* ]] || fail "tag t$i lost"
	done
	image-verify "$layout"
}
