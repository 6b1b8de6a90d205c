#!/usr/bin/env bats
# Hostile images (built by test/hostile): lade unpack must neutralise the
# attack or fail with one error line, never touch anything outside the
# bundle, and leave nothing behind that blocks a retry.

load helpers

setup_file() {
	export HOSTILE_DIR="$BATS_FILE_TMPDIR/h"
	export OUTSIDE="$HOSTILE_DIR/outside"
	export HOSTILE_LAYOUT="$HOSTILE_DIR/layout"
	mkdir -p "$OUTSIDE/sub"
	echo "root:x:0:0" >"$OUTSIDE/passwd"
	echo outside >"$OUTSIDE/x"
	echo deep >"$OUTSIDE/sub/file"
	ln -s passwd "$OUTSIDE/link"
	(cd "$LADE_ROOT" && go run ./test/hostile "$HOSTILE_LAYOUT" "$OUTSIDE")
}

# snapshot: every path under $OUTSIDE with type, mode, owner, mtime, size,
# link target and content hash, plus the names next to it.
snapshot() {
	(cd "$OUTSIDE" && find . -printf '%p %y %m %U:%G %T@ %s %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort) &&
		ls -A "$HOSTILE_DIR"
}

# unpack_hostile TAG: unpack TAG into a fresh bundle, check the outcome its
# name promises (ok-: success, bad-: one-line failure and no bundle left),
# that nothing outside changed, and that the good image then unpacks into
# the same bundle path.
unpack_hostile() {
	local tag="$1" before bundle="$TESTDIR/bundle"
	before="$(snapshot)"
	run timeout 60 "$LADE" unpack --image "$HOSTILE_LAYOUT:$tag" "$bundle"
	echo "unpack $tag => status $status: $output" >&2
	case "$tag" in
	ok-*)
		[[ "$status" -eq 0 ]] || fail "unpack $tag failed: $output"
		[[ -d "$bundle/rootfs" ]] || fail "no rootfs"
		rm -rf "$bundle"
		;;
	bad-*)
		[[ "$status" -eq 1 ]] || fail "unpack $tag exited $status, want 1: $output"
		[[ "${#lines[@]}" -eq 1 ]] || fail "unpack $tag printed ${#lines[@]} lines: $output"
		[[ "${lines[0]}" == "   ⨯ "* ]] || fail "not an error line: ${lines[0]}"
		[[ "$output" != *panic* && "$output" != *goroutine* ]] || fail "panic: $output"
		;;
	esac
	[[ "$(snapshot)" == "$before" ]] || fail "outside changed: $(diff <(echo "$before") <(snapshot))"
	[[ "$(ls -A "$TESTDIR")" == "" || "$(ls -A "$TESTDIR")" == bundle ]] ||
		fail "unexpected files next to the bundle: $(ls -A "$TESTDIR")"
	lade_ok unpack --image "$HOSTILE_LAYOUT:good" "$bundle"
	[[ "$(cat "$bundle/rootfs/etc/hostname")" == good ]]
}

@test "hostile: dotdot and absolute names stay inside" {
	unpack_hostile ok-dotdot
}

@test "hostile: symlink swaps within and across layers" {
	unpack_hostile ok-symlink-swap
}

@test "hostile: entries replace symlinks to outside, never write through" {
	unpack_hostile ok-write-over-symlink
}

@test "hostile: whiteouts through symlinks to outside" {
	unpack_hostile ok-whiteout-escape
}

@test "hostile: FIFO later written as a file does not block" {
	unpack_hostile ok-fifo-then-file
}

@test "hostile: hardlink escapes fail" {
	unpack_hostile bad-hardlink-escape
	rm -rf "$TESTDIR/bundle"
	unpack_hostile bad-hardlink-via-symlink
}

@test "hostile: whiteout of dotdot fails" {
	unpack_hostile bad-whiteout-dotdot
}

@test "hostile: root entry symlink fails" {
	unpack_hostile bad-root-symlink
}

@test "hostile: truncated layer fails" {
	unpack_hostile bad-truncated
}

@test "hostile: control characters in names stay on one line" {
	unpack_hostile bad-newline-name
}
