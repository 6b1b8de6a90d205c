#!/usr/bin/env bats
# runc runs bundles that lade unpacked.

load helpers

setup_file() {
	build_mkimage
}

# can_run_containers: skip (with the reason) where runc cannot work at all.
can_run_containers() {
	requires root runc
	[[ -x /bin/busybox ]] || skip "test requires Debian's busybox-static (/bin/busybox)"
	[[ -d /sys/fs/cgroup ]] || skip "no cgroup filesystem: this machine cannot run containers"
}

@test "runc run of a bundle lade unpacked" {
	can_run_containers
	"$MKIMAGE" busybox "$TESTDIR/img:latest" >&2
	lade_ok unpack --image "$TESTDIR/img" "$TESTDIR/bundle"
	jq '.process.terminal = false' "$TESTDIR/bundle/config.json" >"$TESTDIR/config.json"
	mv "$TESTDIR/config.json" "$TESTDIR/bundle/config.json"
	id="lade-bats-$$-$RANDOM"
	cd "$TESTDIR/bundle"
	run timeout 60 runc run "$id" </dev/null
	runc delete --force "$id" >/dev/null 2>&1 || true
	echo "runc run => status $status: $output" >&2
	[[ "$status" -eq 0 ]]
	[[ "$output" == "hello from lade"$'\n'"Linux" ]]
}

@test "runc run of a bundle lade unpacked with a changed command" {
	can_run_containers
	"$MKIMAGE" busybox "$TESTDIR/img:latest" >&2
	lade_ok unpack --image "$TESTDIR/img" "$TESTDIR/bundle"
	jq '.process.terminal = false | .process.args = ["sh", "-c", "id -u; cat /etc/hostname 2>/dev/null; echo done"]' \
		"$TESTDIR/bundle/config.json" >"$TESTDIR/config.json"
	mv "$TESTDIR/config.json" "$TESTDIR/bundle/config.json"
	id="lade-bats-$$-$RANDOM"
	cd "$TESTDIR/bundle"
	run timeout 60 runc run "$id" </dev/null
	runc delete --force "$id" >/dev/null 2>&1 || true
	[[ "$status" -eq 0 ]]
	[[ "${lines[0]}" == 0 && "${lines[-1]}" == done ]]
}
