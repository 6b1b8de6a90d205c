#!/usr/bin/env bats
# lade export --image PATH[:TAG] [--platform P] [--rootless] [--uid-map M]... [--gid-map M]... [--compress C] OUTPUT

load helpers

setup_file() {
	build_mkimage
}

# map_flags: --rootless when not running as root.
map_flags() {
	[[ "$(id -u)" -eq 0 ]] || echo --rootless
}

# no_temp_left DIR: fail if DIR holds lade temporaries.
no_temp_left() {
	local left
	left="$(find "$1" -maxdepth 1 -name '.lade-*')"
	[[ -z "$left" ]] || fail "temporaries left in $1: $left"
}

@test "lade export to a file" {
	image="$(small_image img)"
	mkdir "$TESTDIR/out"
	lade_ok export $(map_flags) --image "$image" "$TESTDIR/out/rootfs.tar"
	[[ -z "$output" ]]
	[[ "$(stat -c %a "$TESTDIR/out/rootfs.tar")" == 644 ]]
	[[ "$(ls -A "$TESTDIR/out")" == rootfs.tar ]]

	run -0 tar -tvf "$TESTDIR/out/rootfs.tar"
	listing="$output"
	[[ "$listing" != *".wh."* ]] || fail "whiteouts in the export: $listing"
	[[ "${lines[0]}" == "drwxr-xr-x 0/0 "*" ." ]]
	grep -q '^-rwsr-xr-x 0/0 .* usr/bin/su$' <<<"$listing"
	grep -q '^drwxr-x--- 1000/1000 .* home/user/$' <<<"$listing"
	grep -q '^-rw------- 1000/1000 .* home/user/notes$' <<<"$listing"
	grep -q '^drwxrwxrwt 0/0 .* tmp/$' <<<"$listing"
	grep -q '^hrwxr-xr-x 0/0 .* usr/bin/hello2 link to usr/bin/hello$' <<<"$listing"
	grep -q '^hrwxr-xr-x 0/0 .* usr/bin/hello3 link to usr/bin/hello$' <<<"$listing"
	grep -q '^lrwxrwxrwx 0/0 .* etc/alias -> /etc/hostname$' <<<"$listing"
	# Whiteouts and the opaque directory are resolved.
	run -0 tar -tf "$TESTDIR/out/rootfs.tar"
	[[ "$output" != *"opt/app/old.txt"* && "$output" != *"opt/tmp"* ]]
	[[ "$(grep '^opt/lib/' <<<"$output" | paste -sd' ')" == "opt/lib/ opt/lib/c" ]]
	# Entries are sorted.
	[[ "$output" == "$(LC_ALL=C sort <<<"$output")" ]]
	[[ "$(tar -xOf "$TESTDIR/out/rootfs.tar" etc/hostname)" == small-v2 ]]
	image-verify "$image"
}

@test "lade export to stdout" {
	image="$(small_image img)"
	export SOURCE_DATE_EPOCH=1800000000
	"$LADE" export $(map_flags) --image "$image" - >"$TESTDIR/stdout.tar"
	lade_ok export $(map_flags) --image "$image" "$TESTDIR/file.tar"
	cmp "$TESTDIR/stdout.tar" "$TESTDIR/file.tar"
	run -0 tar -tf "$TESTDIR/stdout.tar"
	[[ "$output" == *"usr/bin/hello"* ]]
	"$LADE" export $(map_flags) --compress gzip --image "$image" - | gzip -dc | cmp - "$TESTDIR/file.tar"
	"$LADE" export $(map_flags) --compress gzip --compress-level 9 --image "$image" - | gzip -dc | cmp - "$TESTDIR/file.tar"
	"$LADE" export $(map_flags) --compress zstd --image "$image" - >"$TESTDIR/z.tar.zst"
	[[ "$(head -c4 "$TESTDIR/z.tar.zst" | od -An -tx1 | tr -d ' ')" == 28b52ffd ]]
}

@test "lade export is deterministic" {
	image="$(small_image img)"
	# With SOURCE_DATE_EPOCH even the directories no layer has an entry for
	# (home/, opt/, usr/ get the unpack time) are reproducible.
	export SOURCE_DATE_EPOCH=1706788800
	lade_ok export $(map_flags) --image "$image" "$TESTDIR/a.tar"
	sleep 1
	lade_ok export $(map_flags) --image "$image" "$TESTDIR/b.tar"
	cmp "$TESTDIR/a.tar" "$TESTDIR/b.tar"
	[[ "$(tar -tvf "$TESTDIR/a.tar" etc/hostname)" == *" 2024-02-01 "* ]]

	# Without it, an image whose every directory has an entry gives the same
	# bytes too.
	unset SOURCE_DATE_EPOCH
	mkdir -p "$TESTDIR/src/d/e"
	echo x >"$TESTDIR/src/d/e/f"
	ln "$TESTDIR/src/d/e/f" "$TESTDIR/src/d/g"
	chmod 755 "$TESTDIR/src"
	find "$TESTDIR/src" -exec touch -h -d @1700000000 {} +
	lade_ok init --layout "$TESTDIR/img2"
	lade_ok new --image "$TESTDIR/img2:x"
	lade_ok insert $(map_flags) --image "$TESTDIR/img2:x" "$TESTDIR/src" /
	lade_ok export $(map_flags) --image "$TESTDIR/img2:x" "$TESTDIR/c.tar"
	sleep 1
	lade_ok export $(map_flags) --image "$TESTDIR/img2:x" "$TESTDIR/d.tar"
	cmp "$TESTDIR/c.tar" "$TESTDIR/d.tar"
	[[ "$(tar -tvf "$TESTDIR/c.tar" d/g)" == *"link to d/e/f"* ]]
}

@test "lade export --rootless keeps owners" {
	image="$(small_image img)"
	lade_ok export --rootless --image "$image" "$TESTDIR/rootless.tar"
	run -0 tar -tvf "$TESTDIR/rootless.tar" home/user/notes
	[[ "$output" == "-rw------- 1000/1000 "* ]]
	run -0 tar -tvf "$TESTDIR/rootless.tar" usr/bin/su
	[[ "$output" == "-rwsr-xr-x 0/0 "* ]]
}

@test "lade export of a missing tag fails cleanly" {
	image="$(small_image img)"
	mkdir "$TESTDIR/out"
	lade_fail export --image "$image:nosuchtag" "$TESTDIR/out/rootfs.tar"
	[[ "$output" == *"nosuchtag"* ]]
	[[ -z "$(ls -A "$TESTDIR/out")" ]]
	# A broken layer fails after the unpack started: nothing is left either.
	echo old >"$TESTDIR/out/rootfs.tar"
	layer="$(jq -r '.layers[0].digest' "$image/blobs/sha256/$(jq -r '.manifests[0].digest' "$image/index.json" | cut -d: -f2)" | cut -d: -f2)"
	chmod u+w "$image/blobs/sha256/$layer"
	printf 'garbage' >"$image/blobs/sha256/$layer"
	lade_fail export $(map_flags) --image "$image" "$TESTDIR/out/rootfs.tar"
	[[ "$(ls -A "$TESTDIR/out")" == rootfs.tar && "$(cat "$TESTDIR/out/rootfs.tar")" == old ]]
	TMPDIR="$TESTDIR/tmp" && mkdir "$TMPDIR" && export TMPDIR
	run -1 "$LADE" export $(map_flags) --image "$image" -
	[[ -z "$(ls -A "$TMPDIR")" ]]
	no_temp_left "$TESTDIR/out"
}

@test "lade export [invalid arguments]" {
	image="$(small_image img)"
	lade_fail export "$TESTDIR/out.tar"
	[[ "$output" == *"missing mandatory argument: --image"* ]]
	lade_fail export --image "$image"
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail export --image "$image" "$TESTDIR/a" "$TESTDIR/b"
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail export --image "$image" "$TESTDIR/a" --rootless
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail export --image "$image" ""
	[[ "$output" == *"invalid output path: empty"* ]]
	lade_fail export --compress bzip2 --image "$image" "$TESTDIR/a"
	[[ "$output" == *"--compress"* ]]
	lade_fail export --compress auto --image "$image" "$TESTDIR/a"
	lade_fail export --compress none --compress-level 1 --image "$image" "$TESTDIR/a"
	[[ "$output" == *"--compress-level 1"* ]]
	lade_fail export --uid-map 0:x --image "$image" "$TESTDIR/a"
	[[ "$output" == *"--uid-map"* ]]
	lade_fail export --image "$TESTDIR/nolayout" "$TESTDIR/a"
	[[ "$output" == *"open CAS"* ]]
	lade_fail export --platform nope --image "$image" "$TESTDIR/a"
	mkdir "$TESTDIR/dir"
	lade_fail export $(map_flags) --image "$image" "$TESTDIR/dir"
	[[ "$output" == *"is a directory"* ]]
	lade_fail export $(map_flags) --image "$image" "$TESTDIR/missing/out.tar"
	# None of these wrote anything.
	[[ ! -e "$TESTDIR/a" && ! -e "$TESTDIR/b" && -z "$(ls -A "$TESTDIR/dir")" ]]
	no_temp_left "$TESTDIR"
}

@test "lade export --help" {
	lade_ok export --help
	[[ "$output" == *"DESCRIPTION:"* && "$output" == *"SOURCE_DATE_EPOCH"* && "$output" == *"--compress"* ]]
	lade_ok --help
	[[ "$output" == *"export"* && "$output" == *"squash"* ]]
}
