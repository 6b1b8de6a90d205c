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
