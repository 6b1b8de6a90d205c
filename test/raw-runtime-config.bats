#!/usr/bin/env bats
# lade raw runtime-config (alias raw config) --image PATH[:TAG] [--rootfs DIR] [--rootless] [maps] CONFIG.json

load helpers

@test "lade raw runtime-config matches unpack's config.json" {
	layout="$(copy_example img)"
	lade_ok unpack --image "$layout:demo" "$TESTDIR/bundle"
	lade_ok raw runtime-config --image "$layout:demo" --rootfs "$TESTDIR/bundle/rootfs" "$TESTDIR/config.json"
	[[ -z "$output" ]]
	cmp "$TESTDIR/bundle/config.json" "$TESTDIR/config.json"
	# Byte for byte what umoci HEAD writes for this image, when the spec
	# examples are next to the checkout.
	example="$LADE_ROOT/../shared/spec/examples/demo.bundle.config.json"
	if [[ -f "$example" ]]; then
		cmp "$TESTDIR/config.json" "$example"
	fi
	run -0 jq -e '.process.user == {"uid": 1000, "gid": 1000, "additionalGids": [1000, 10]}' "$TESTDIR/config.json"
}

@test "lade raw runtime-config through symlinks, to stdout and a pipe" {
	layout="$(copy_example img)"
	lade_ok raw runtime-config --image "$layout:demo" "$TESTDIR/file.json"
	# A link like /dev/stdout (one of our own, so a regression cannot
	# replace the machine's /dev/stdout by a file).
	ln -s /proc/self/fd/1 "$TESTDIR/stdout"
	"$LADE" raw runtime-config --image "$layout:demo" "$TESTDIR/stdout" 2>/dev/null >"$TESTDIR/stdout.json"
	cmp "$TESTDIR/file.json" "$TESTDIR/stdout.json"
	"$LADE" raw runtime-config --image "$layout:demo" "$TESTDIR/stdout" 2>/dev/null | cmp - "$TESTDIR/file.json"
	[[ -L "$TESTDIR/stdout" ]]
	# A symlink to a file: the file is rewritten, the link stays.
	echo stale >"$TESTDIR/target.json"
	ln -s target.json "$TESTDIR/link.json"
	lade_ok raw runtime-config --image "$layout:demo" "$TESTDIR/link.json"
	[[ -L "$TESTDIR/link.json" ]]
	cmp "$TESTDIR/file.json" "$TESTDIR/target.json"
	mkfifo "$TESTDIR/fifo"
	cat "$TESTDIR/fifo" >"$TESTDIR/fifo.json" &
	lade_ok raw runtime-config --image "$layout:demo" "$TESTDIR/fifo"
	wait
	cmp "$TESTDIR/file.json" "$TESTDIR/fifo.json"
	[[ -p "$TESTDIR/fifo" ]] # still a FIFO, not replaced by a file
	mkdir "$TESTDIR/dir"
	run -1 "$LADE" raw runtime-config --image "$layout:demo" "$TESTDIR/dir"
	[[ "$output" == *"write runtime config: write $TESTDIR/dir: is a directory"* ]] || fail "$output"
	ln -s dir "$TESTDIR/dirlink"
	run -1 "$LADE" raw runtime-config --image "$layout:demo" "$TESTDIR/dirlink"
	[[ "$output" == *"is a directory"* ]] || fail "$output"
	[[ -d "$TESTDIR/dir" && -z "$(ls -A "$TESTDIR/dir")" ]]
}

@test "lade raw config without --rootfs" {
	layout="$(copy_example img)"
	echo stale >"$TESTDIR/config.json"
	lade raw config --image "$layout:demo" "$TESTDIR/config.json"
	[[ "$status" -eq 0 ]]
	[[ "$output" == *"using 0:0"* ]] # user "app" cannot be resolved
	run -0 jq -e '.root.path == "." and .process.user.uid == 0 and .process.user.gid == 0
		and (.process.env | index("FOO=bar")) and .process.args == ["/bin/sh", "-c", "echo hi"]' "$TESTDIR/config.json"
	lade_ok raw unpack --image "$layout:demo" "$TESTDIR/x/y"
	lade_ok raw config --image "$layout:demo" --rootfs "$TESTDIR/x/y" "$TESTDIR/c2.json"
	run -0 jq -e '.root.path == "y" and .process.user.uid == 1000' "$TESTDIR/c2.json"
}

@test "lade raw runtime-config --rootless and maps" {
	layout="$(copy_example img)"
	lade_ok raw runtime-config --rootless --image "$layout:demo" "$TESTDIR/rootless.json"
	run -0 jq -e --argjson u "$(id -u)" '(.linux.namespaces | map(.type) | index("user"))
		and (.linux.namespaces | map(.type) | index("network") | not)
		and .linux.uidMappings == [{"containerID": 0, "hostID": $u, "size": 1}] and (.linux.resources | not)' "$TESTDIR/rootless.json"
	lade_ok raw runtime-config --uid-map 0:1000:10 --gid-map 0:2000:10 --image "$layout:demo" "$TESTDIR/maps.json"
	run -0 jq -e '.linux.uidMappings == [{"containerID": 0, "hostID": 1000, "size": 10}]
		and .linux.gidMappings == [{"containerID": 0, "hostID": 2000, "size": 10}]' "$TESTDIR/maps.json"
}

@test "lade raw runtime-config [invalid arguments]" {
	layout="$(copy_example img)"
	lade_fail raw runtime-config "$TESTDIR/config.json"
	[[ "$output" == *"missing mandatory argument: --image"* ]]
	lade_fail raw runtime-config --image "$layout:demo"
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail raw config --image "$layout:nosuchtag" "$TESTDIR/config.json"
	lade_fail raw config --uid-map 1 --image "$layout:demo" "$TESTDIR/config.json"
	[[ ! -e "$TESTDIR/config.json" ]]
	lade_ok raw runtime-config --help
	[[ "$output" == *"DESCRIPTION:"* && "$output" == *"--rootfs"* ]]
}
