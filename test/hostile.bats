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

# sparse_layer TAR FILE SIZE: a GNU tar layer holding FILE, SIZE bytes long,
# all hole but "data" at 1 MiB and "end" at its last bytes.
sparse_layer() {
	local src="$TESTDIR/src"
	rm -rf "$src" && mkdir -p "$src"
	truncate -s "$3" "$src/$2"
	printf data | dd of="$src/$2" bs=1 seek=1048576 conv=notrunc status=none
	printf end | dd of="$src/$2" bs=1 seek="$(($3 - 3))" conv=notrunc status=none
	tar --sparse --format=posix -C "$src" -cf "$1" "$2"
}

@test "hostile: sparse files unpack with their holes, sparse bombs fail" {
	requires tar
	layout="$TESTDIR/img"
	new_image "$layout" t
	sparse_layer "$TESTDIR/ok.tar" disk.img $((2 << 30))
	(( $(stat -c %s "$TESTDIR/ok.tar") < 1 << 20 )) || fail "GNU tar wrote no sparse entry"
	lade_ok raw add-layer --image "$layout:t" --tag ok "$TESTDIR/ok.tar"
	lade_ok unpack --image "$layout:ok" "$TESTDIR/b"
	f="$TESTDIR/b/rootfs/disk.img"
	[[ "$(stat -c %s "$f")" == $((2 << 30)) ]]
	(( $(du -k "$f" | cut -f1) < 1024 )) || fail "2 GiB sparse file uses $(du -k "$f" | cut -f1) KiB"
	[[ "$(dd if="$f" bs=1 skip=1048576 count=4 status=none)" == data ]]
	[[ "$(tail -c 3 "$f")" == end ]]
	rm -rf "$TESTDIR/b" "$TESTDIR/src"

	# 2 TiB of holes in a 10 KiB layer: refused before anything is written.
	sparse_layer "$TESTDIR/bomb.tar" bomb $((2 << 40))
	lade_ok raw add-layer --image "$layout:t" --tag bomb "$TESTDIR/bomb.tar"
	rm -rf "$TESTDIR/src"
	run -1 timeout 60 "$LADE" unpack --image "$layout:bomb" "$TESTDIR/b"
	(( ${#lines[@]} == 1 )) || fail "$output"
	[[ "$output" == *"sparse file too large"* ]] || fail "$output"
	[[ ! -e "$TESTDIR/b" ]]
}
