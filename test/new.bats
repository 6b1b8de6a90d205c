#!/usr/bin/env bats
# lade new --image PATH[:TAG]

load helpers

@test "lade new" {
	layout="$(new_layout img)"
	lade_ok new --image "$layout:blank"
	[[ -z "$output" ]]
	image-verify "$layout"
	[[ "$(tags "$layout")" == "blank" ]]

	manifest="$(jq -r '.manifests[0].digest' "$layout/index.json" | cut -d: -f2)"
	run -0 jq -e '.schemaVersion == 2 and .mediaType == "application/vnd.oci.image.manifest.v1+json" and .layers == []
		and .config.mediaType == "application/vnd.oci.image.config.v1+json"' "$layout/blobs/sha256/$manifest"
	config="$(jq -r '.config.digest' "$layout/blobs/sha256/$manifest" | cut -d: -f2)"
	run -0 jq -e --arg arch "$(host_arch)" '.os == "linux" and .architecture == $arch and .config == {}
		and .rootfs == {"type": "layers", "diff_ids": []} and (.history | not) and (.created | length > 0)' \
		"$layout/blobs/sha256/$config"
}

@test "lade new with SOURCE_DATE_EPOCH is reproducible" {
	[[ "$(host_arch)" == amd64 ]] || skip "reference digest is for amd64"
	layout="$(new_layout img)"
	SOURCE_DATE_EPOCH=1700000000 lade_ok new --image "$layout:blank"
	run -0 jq -r '.manifests[0].digest' "$layout/index.json"
	[[ "$output" == "sha256:2212c76866e6efd523a244d9f298a8c051c4c0925af9b1eb1b660091b1c6ce7d" ]]
	lade_ok stat --image "$layout:blank"
	diff -u "$EXAMPLES/blank.stat.txt" <(printf '%s\n' "$output")
	lade_ok stat --json --image "$layout:blank"
	diff -u "$EXAMPLES/blank.stat.json" <(printf '%s\n' "$output")
}

@test "lade new defaults to latest and replaces a tag" {
	layout="$(new_layout img)"
	lade_ok new --image "$layout"
	[[ "$(tags "$layout")" == "latest" ]]
	SOURCE_DATE_EPOCH=1 lade_ok new --image "$layout:x"
	before="$(jq -r '.manifests[1].digest' "$layout/index.json")"
	SOURCE_DATE_EPOCH=2 lade_ok new --image "$layout:x"
	[[ "$(tags "$layout")" == "latest x" ]]
	after="$(jq -r '.manifests[1].digest' "$layout/index.json")"
	[[ "$before" != "$after" ]]
	image-verify "$layout"
}

@test "lade new [invalid arguments]" {
	layout="$(new_layout img)"
	lade_fail new
	[[ "$output" == *"missing mandatory argument: --image"* ]]
	lade_fail new --image ":tag"
	lade_fail new --image "$layout:"
	[[ "$output" == *'invalid tag ""'* ]]
	lade_fail new --image "$layout:bad tag"
	lade_fail new --image "$layout:-bad"
	lade_fail new --image "$layout:x" extra
	lade_fail new extra --image "$layout:x"
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail new --image "$TESTDIR/nonexistent:x"
	[[ "$output" == *"open CAS"* ]]
	SOURCE_DATE_EPOCH=soon lade_fail new --image "$layout:x"
	[[ "$output" == *"SOURCE_DATE_EPOCH"* ]]
	[[ -z "$(tags "$layout")" ]]
	image-verify "$layout"
}
