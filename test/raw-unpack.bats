#!/usr/bin/env bats
# lade raw unpack --image PATH[:TAG] [--rootless] [maps] [--keep-dirlinks] ROOTFS

load helpers

setup_file() {
	build_mkimage
}

@test "lade raw unpack" {
	# Directories no layer lists get this time in both unpacks below.
	export SOURCE_DATE_EPOCH=4000000000
	image="$(small_image img)"
	lade_ok raw unpack --image "$image" "$TESTDIR/a/rootfs"
	[[ -z "$output" ]]
	# Only the rootfs: no bundle files next to it.
	[[ "$(ls -A "$TESTDIR/a")" == rootfs ]]
	[[ "$(stat -c %a "$TESTDIR/a/rootfs")" == 755 ]]
	[[ "$(cat "$TESTDIR/a/rootfs/etc/hostname")" == small-v2 ]]
	[[ "$(ls "$TESTDIR/a/rootfs/opt/lib")" == c ]]

	# Same tree as the rootfs of a full unpack.
	lade_ok unpack --image "$image" "$TESTDIR/bundle"
	hex="$(jq -r '.manifests[0].digest' "$image/index.json" | cut -d: -f2)"
	lade_ok raw mtree-validate -f "$TESTDIR/bundle/sha256_$hex.mtree" -p "$TESTDIR/a/rootfs"
}

@test "lade raw unpack into an existing empty directory" {
	image="$(small_image img)"
	mkdir -m 0711 "$TESTDIR/rootfs"
	lade_ok raw unpack --image "$image" "$TESTDIR/rootfs"
	[[ -f "$TESTDIR/rootfs/usr/bin/hello" ]]
}

@test "lade raw unpack refuses a non-empty directory" {
	# umoci extracts over existing files (its man page says ROOTFS must not
	# exist); lade refuses, and touches nothing.
	image="$(small_image img)"
	mkdir -p "$TESTDIR/rootfs/etc"
	echo mine >"$TESTDIR/rootfs/etc/hostname"
	lade_fail raw unpack --image "$image" "$TESTDIR/rootfs"
	[[ "$output" == *"rootfs is not empty"* ]]
	[[ "$(cat "$TESTDIR/rootfs/etc/hostname")" == mine ]]
	[[ "$(ls -A "$TESTDIR/rootfs")" == etc ]]

	touch "$TESTDIR/file"
	lade_fail raw unpack --image "$image" "$TESTDIR/file"
	[[ "$output" == *"not a directory"* ]]
}

@test "lade raw unpack cleans up on failure" {
	image="$(small_image img)"
	layer="$(jq -r '.manifests[0].digest' "$image/index.json" | cut -d: -f2)"
	layer="$(jq -r '.layers[0].digest' "$image/blobs/sha256/$layer" | cut -d: -f2)"
	chmod u+w "$image/blobs/sha256/$layer"
	printf 'junk' | dd of="$image/blobs/sha256/$layer" bs=1 seek=100 conv=notrunc status=none
	lade_fail raw unpack --image "$image" "$TESTDIR/new/rootfs"
	[[ ! -e "$TESTDIR/new/rootfs" ]]
	mkdir "$TESTDIR/empty"
	lade_fail raw unpack --image "$image" "$TESTDIR/empty"
	[[ -d "$TESTDIR/empty" && -z "$(ls -A "$TESTDIR/empty")" ]]
}

@test "lade raw unpack --rootless" {
	image="$(small_image img)"
	lade_ok raw unpack --rootless --image "$image" "$TESTDIR/rootfs"
	[[ "$(stat -c '%u:%g' "$TESTDIR/rootfs/home/user/notes")" == "$(id -u):$(id -g)" ]]
	[[ ! -e "$TESTDIR/umoci.json" ]]
}

@test "lade raw unpack [invalid arguments]" {
	image="$(small_image img)"
	lade_fail raw unpack "$TESTDIR/rootfs"
	[[ "$output" == *"missing mandatory argument: --image"* ]]
	lade_fail raw unpack --image "$image"
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail raw unpack --image "$image" "$TESTDIR/a" "$TESTDIR/b"
	lade_fail raw unpack --image "$image:nosuchtag" "$TESTDIR/rootfs"
	lade_fail raw unpack --uid-map nope --image "$image" "$TESTDIR/rootfs"
	[[ ! -e "$TESTDIR/rootfs" && ! -e "$TESTDIR/a" ]]
	lade_ok raw unpack --help
	[[ "$output" == *"DESCRIPTION:"* && "$output" == *"--keep-dirlinks"* ]]
}
