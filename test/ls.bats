#!/usr/bin/env bats
# lade ls/list --layout PATH

load helpers

@test "lade ls" {
	layout="$(new_layout img)"
	lade_ok ls --layout "$layout"
	[[ -z "$output" ]]
	for t in zz aa mm "x:y" "docker.io/library/busybox:1"; do
		new_image "$layout" "$t"
	done
	lade_ok ls --layout "$layout"
	[[ "${lines[*]}" == "zz aa mm x:y docker.io/library/busybox:1" ]]
	lade_ok list --layout "$layout"
	[[ "${lines[*]}" == "zz aa mm x:y docker.io/library/busybox:1" ]]
}

@test "lade ls skips untagged entries and keeps duplicates" {
	layout="$(new_layout img)"
	new_image "$layout" a
	new_image "$layout" b
	jq -c '.manifests += [.manifests[0]] | .manifests[1].annotations = {} | .manifests += [.manifests[0]]' \
		"$layout/index.json" >"$TESTDIR/index.json"
	mv "$TESTDIR/index.json" "$layout/index.json"
	lade_ok ls --layout "$layout"
	[[ "${lines[*]}" == "a a a" ]]
}

@test "lade ls of the example umoci layout" {
	layout="$(copy_example img)"
	lade_ok ls --layout "$layout"
	[[ "${lines[*]}" == "blank demo" ]]
}

@test "lade ls [invalid arguments]" {
	layout="$(new_layout img)"
	lade_fail ls
	[[ "$output" == *"missing mandatory argument: --layout"* ]]
	lade_fail ls --layout ""
	lade_fail ls --layout "$layout:latest"
	lade_fail ls --layout "$layout" extra
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail ls extra --layout "$layout"
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail ls --image "$layout"
	lade_fail ls --layout "$TESTDIR/missing"
	[[ "$output" == *"open CAS"* ]]
	rm "$layout/oci-layout"
	lade_fail ls --layout "$layout"
	[[ "$output" == *"open CAS"* ]]
}

@test "lade ls of a corrupt layout" {
	layout="$(new_layout img)"
	new_image "$layout" a
	echo '{"schemaVersion":2,"manifests":[' >"$layout/index.json"
	lade_fail ls --layout "$layout"
	echo '{"imageLayoutVersion":"9.9.9"}' >"$layout/oci-layout"
	lade_fail ls --layout "$layout"
}

@test "lade ls --json" {
	layout="$(new_layout img)"
	lade_ok ls --json --layout "$layout"
	[[ "$output" == "[]" ]]
	new_image "$layout" a
	new_image "$layout" "docker.io/library/x:1"
	lade_ok config --image "$layout:a" --platform.arch arm64 --platform.variant v8
	# An untagged entry is skipped, as in plain ls.
	jq -c '.manifests += [.manifests[0] | del(.annotations)]' "$layout/index.json" >"$TESTDIR/index.json"
	mv "$TESTDIR/index.json" "$layout/index.json"
	run -0 --separate-stderr "$LADE" ls --json --layout "$layout"
	[[ -z "$stderr" ]]
	[[ "$(jq -r 'map(.tag) | join(" ")' <<<"$output")" == "docker.io/library/x:1 a" ]]
	[[ "$(jq -r '.[1].platform | "\(.os)/\(.architecture)/\(.variant)"' <<<"$output")" == "linux/arm64/v8" ]]
	[[ "$(jq -r '.[0].platform.os' <<<"$output")" == linux ]]
	[[ "$(jq -r '.[1].digest' <<<"$output")" == "$(jq -r '.manifests[1].digest' "$layout/index.json")" ]]
	[[ "$(jq -r '.[1].size' <<<"$output")" == "$(jq -r '.manifests[1].size' "$layout/index.json")" ]]
	jq -e 'all(.[]; .mediaType == "application/vnd.oci.image.manifest.v1+json" and (keys == ["digest","mediaType","platform","size","tag"]))' <<<"$output"
	# Plain ls is unchanged.
	lade_ok ls --layout "$layout"
	[[ "${lines[*]}" == "docker.io/library/x:1 a" ]]
	lade_ok ls --help
	[[ "$output" == *"--json"* ]]
}

@test "lade ls --json of the example umoci layout" {
	layout="$(copy_example img)"
	lade_ok ls --json --layout "$layout"
	[[ "$(jq -r 'map("\(.tag)=\(.digest)") | join(" ")' <<<"$output")" == \
		"$(jq -r '[.manifests[] | "\(.annotations["org.opencontainers.image.ref.name"])=\(.digest)"] | join(" ")' "$layout/index.json")" ]]
}
