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

# tree_snapshot DIR: every path under DIR with type, mode, size, link target
# and content hash.
tree_snapshot() {
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | sort && find . -type f -exec sha256sum {} + | sort)
}

# every_command LAYOUT BUNDLE: run every command that opens LAYOUT (reading,
# writing and deleting ones) and require each to fail with one line naming
# the symlinked store.
every_command() {
	local l="$1" b="$2" src="$TESTDIR/src"
	mkdir -p "$src" && echo new >"$src/f"
	tar -cf "$TESTDIR/l.tar" -C "$src" f
	local cmds=(
		"gc --layout $l" "gc --dry-run --layout $l" "ls --layout $l" "validate --layout $l"
		"stat --image $l:t" "tag --image $l:t t2" "rm --image $l:t" "new --image $l:n"
		"config --image $l:t --config.user x" "insert --image $l:t $src/f /f"
		"raw add-layer --image $l:t $TESTDIR/l.tar" "repack --image $l:t $b"
		"unpack --image $l:t $TESTDIR/bundle2" "raw unpack --image $l:t $TESTDIR/rootfs2"
		"raw runtime-config --image $l:t $TESTDIR/config.json" "export --image $l:t $TESTDIR/out.tar"
		"squash --image $l:t" "diff $l:t $l:t" "index create --image $l:i t"
	)
	local cmd
	for cmd in "${cmds[@]}"; do
		# shellcheck disable=SC2086 # word splitting of the command is intended
		run timeout 60 "$LADE" $cmd
		[[ "$status" -eq 1 && "${#lines[@]}" -eq 1 ]] || fail "$cmd: status $status: $output"
		[[ "$output" == *"is a symlink: everything a layout holds must be inside it"* ]] || fail "$cmd: $output"
	done
	[[ ! -e "$TESTDIR/bundle2" && ! -e "$TESTDIR/rootfs2" && ! -e "$TESTDIR/out.tar" && ! -e "$TESTDIR/config.json" ]] ||
		fail "a command left output behind"
}

@test "hostile: a layout whose blob store is a symlink to outside is refused by every command" {
	for store in blobs/sha256 blobs; do
		rm -rf "$TESTDIR"/* && mkdir -p "$TESTDIR/outside"
		layout="$TESTDIR/img"
		new_image "$layout" t
		echo x >"$TESTDIR/x" && "$LADE" insert --rootless --image "$layout:t" "$TESTDIR/x" /x
		"$LADE" unpack --rootless --image "$layout:t" "$TESTDIR/bundle"
		# The store moves outside; an unreferenced blob there is what gc
		# deleted before.
		mv "$layout/$store" "$TESTDIR/outside/store"
		ln -s "$TESTDIR/outside/store" "$layout/$store"
		sha="$(ls "$TESTDIR/outside/store" | head -1)"
		[[ "$store" == blobs ]] && sha="sha256/$sha"
		precious="$(echo precious | sha256sum | cut -d' ' -f1)"
		echo precious >"$(dirname "$TESTDIR/outside/store/$sha")/$precious"
		before="$(tree_snapshot "$TESTDIR/outside")"
		index="$(cat "$layout/index.json")"
		every_command "$layout" "$TESTDIR/bundle"
		[[ "$(tree_snapshot "$TESTDIR/outside")" == "$before" ]] || fail "$store: outside changed"
		[[ "$(cat "$layout/index.json")" == "$index" ]] || fail "$store: index.json changed"
		[[ "$(ls -A "$layout")" == "$(printf '%s\n' blobs index.json oci-layout)" ]] || fail "$store: $(ls -A "$layout")"
	done
}

@test "hostile: repack of a bundle whose rootfs is a symlink to outside is refused" {
	layout="$TESTDIR/img"
	new_image "$layout" t
	lade_ok unpack --rootless --image "$layout:t" "$TESTDIR/bundle"
	mkdir -p "$TESTDIR/outside/etc" && echo secret >"$TESTDIR/outside/etc/shadow"
	rm -rf "$TESTDIR/bundle/rootfs"
	ln -s ../outside "$TESTDIR/bundle/rootfs"
	before="$(tree_snapshot "$TESTDIR/outside")"
	blobs="$(ls "$layout/blobs/sha256")" index="$(cat "$layout/index.json")"
	for flags in "" "--refresh-bundle"; do
		# shellcheck disable=SC2086
		run timeout 60 "$LADE" repack $flags --image "$layout:t" "$TESTDIR/bundle"
		[[ "$status" -eq 1 && "${#lines[@]}" -eq 1 ]] || fail "repack $flags: status $status: $output"
		[[ "$output" == *"bundle rootfs "*" is a symlink: refusing to pack what it points to"* ]] || fail "$output"
		[[ "$output" != *panic* && "$output" != *"internal error"* ]] || fail "$output"
	done
	[[ "$(tree_snapshot "$TESTDIR/outside")" == "$before" ]] || fail "outside changed"
	[[ "$(ls "$layout/blobs/sha256")" == "$blobs" && "$(cat "$layout/index.json")" == "$index" ]] || fail "layout changed"
	run -1 "$LADE" raw mtree-validate --manifest "$(ls "$TESTDIR"/bundle/sha256_*.mtree)" --path "$TESTDIR/bundle/rootfs"
	[[ "$output" == *"root is a symlink, not a directory"* ]] || fail "$output"
}

@test "hostile: a gzip layer without its trailer fails unpack, raw unpack, export, squash and diff" {
	for tag in bad-gzip-no-trailer bad-gzip-partial-trailer; do
		rm -rf "$TESTDIR/bundle"
		unpack_hostile "$tag"
		rm -rf "$TESTDIR/bundle"
		lade_fail unpack --image "$HOSTILE_LAYOUT:$tag" "$TESTDIR/bundle"
		[[ "$output" == *"decompress gzip: truncated stream: unexpected EOF"* ]] || fail "$tag: $output"
		lade_fail raw unpack --image "$HOSTILE_LAYOUT:$tag" "$TESTDIR/rootfs"
		[[ "$output" == *"truncated stream"* && ! -e "$TESTDIR/rootfs" ]] || fail "$tag: $output"
		lade_fail export --image "$HOSTILE_LAYOUT:$tag" "$TESTDIR/out.tar"
		[[ "$output" == *"truncated stream"* && ! -e "$TESTDIR/out.tar" ]] || fail "$tag: $output"
		lade_fail diff "$HOSTILE_LAYOUT:good" "$HOSTILE_LAYOUT:$tag"
		[[ "$output" == *"truncated stream"* ]] || fail "$tag: $output"
	done
	# squash writes: on a copy of the layout.
	cp -r "$HOSTILE_LAYOUT" "$TESTDIR/copy"
	lade_fail squash --image "$TESTDIR/copy:bad-gzip-no-trailer" --tag flat
	[[ "$output" == *"truncated stream"* ]] || fail "$output"
	run -0 "$LADE" ls --layout "$TESTDIR/copy"
	[[ "$output" != *flat* ]]
}

@test "hostile: a manifest, index or index.json whose schemaVersion is not 2 is refused" {
	layout="$TESTDIR/img"
	cp -r "$HOSTILE_LAYOUT" "$layout"
	good="$(jq -c '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "good")' "$layout/index.json")"
	# put_tag TAG MEDIATYPE JSON: store JSON as a blob and tag it.
	put_tag() {
		local sha
		sha="$(printf '%s' "$3" | sha256sum | cut -d' ' -f1)"
		printf '%s' "$3" >"$layout/blobs/sha256/$sha"
		jq -c --arg t "$1" --arg mt "$2" --arg d "sha256:$sha" --argjson s "${#3}" \
			'.manifests += [{mediaType: $mt, digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": $t}}]' \
			"$layout/index.json" >"$TESTDIR/index.json" && mv "$TESTDIR/index.json" "$layout/index.json"
	}
	manifest="$(cat "$layout/blobs/sha256/$(jq -r .digest <<<"$good" | cut -d: -f2)")"
	mt=application/vnd.oci.image.manifest.v1+json
	put_tag m1 "$mt" "$(jq -c '.schemaVersion = 1' <<<"$manifest")"
	put_tag m3 "$mt" "$(jq -c '.schemaVersion = 3' <<<"$manifest")"
	put_tag m0 "$mt" "$(jq -c 'del(.schemaVersion)' <<<"$manifest")"
	put_tag i1 application/vnd.oci.image.index.v1+json \
		"$(jq -c '{schemaVersion: 1, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [del(.annotations)]}' <<<"$good")"
	for tag in m1 m3 m0 i1; do
		want="unsupported schemaVersion"
		[[ "$tag" == m0 ]] && want="has no schemaVersion (want 2)"
		lade_fail stat --image "$layout:$tag"
		[[ "$output" == *"$want"* ]] || fail "stat $tag: $output"
		lade_fail unpack --image "$layout:$tag" "$TESTDIR/bundle"
		[[ "$output" == *"$want"* && ! -e "$TESTDIR/bundle" ]] || fail "unpack $tag: $output"
	done
	# gc refuses to delete anything while a reachable manifest is unreadable.
	blobs="$(ls "$layout/blobs/sha256" | wc -l)"
	lade_fail gc --layout "$layout"
	[[ "$(ls "$layout/blobs/sha256" | wc -l)" == "$blobs" ]]
	# index.json itself.
	jq -c '.schemaVersion = 1' "$HOSTILE_LAYOUT/index.json" >"$layout/index.json"
	lade_fail ls --layout "$layout"
	[[ "$output" == *"index.json: invalid: unsupported schemaVersion 1 (want 2)"* ]] || fail "$output"
}
