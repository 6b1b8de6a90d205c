#!/usr/bin/env bats
# lade insert --image PATH[:TAG] [--tag NEW] [--opaque] [--rootless] [maps]
#             [--compress C] [history flags] SOURCE TARGET
# lade insert --image PATH[:TAG] --whiteout TARGET
# lade insert --image PATH[:TAG] --whiteout-target TARGET [--whiteout-target TARGET]...

load helpers

blob() { echo "$1/blobs/sha256/${2#sha256:}"; }
manifest_of() {
	blob "$1" "$(jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$1/index.json")"
}
config_of() { blob "$1" "$(jq -r .config.digest "$(manifest_of "$1" "$2")")"; }

# last_layer LAYOUT TAG: tar -tv style listing (name, type, link) of the last
# layer, in archive order.
last_layer() {
	local m d
	m="$(manifest_of "$1" "$2")"
	d="$(jq -r '.layers[-1].digest' "$m")"
	case "$(jq -r '.layers[-1].mediaType' "$m")" in
	*+zstd) zstd -dc <"$(blob "$1" "$d")" ;;
	*+gzip) gzip -dc <"$(blob "$1" "$d")" ;;
	*) cat "$(blob "$1" "$d")" ;;
	esac | python3 -c '
import sys, tarfile
for m in tarfile.open(fileobj=sys.stdin.buffer, mode="r|"):
    link = " -> " + m.linkname if m.issym() else (" link " + m.linkname if m.islnk() else "")
    print(m.name + ("/" if m.isdir() and m.name != "." else "") + link + " " + str(m.uid) + ":" + str(m.gid))
'
}

setup_src() {
	mkdir -p "$TESTDIR/src/d"
	echo hello >"$TESTDIR/src/d/f"
	ln "$TESTDIR/src/d/f" "$TESTDIR/src/d/h"
	ln -s f "$TESTDIR/src/d/l"
}

@test "lade insert a directory" {
	setup_src
	layout="$TESTDIR/img"
	new_image "$layout" t
	lade_ok insert --image "$layout:t" "$TESTDIR/src/d" /opt/d
	[[ -z "$output" ]]
	image-verify "$layout"
	run -0 last_layer "$layout" t
	[[ "$output" == "$(printf '%s\n' 'opt/d/ 0:0' 'opt/d/f 0:0' 'opt/d/h link opt/d/f 0:0' 'opt/d/l -> f 0:0')" ]] || fail "layer: $output"
	run -0 jq -r '.history[-1] | [.created_by, (.author // ""), (.empty_layer // false)] | @tsv' "$(config_of "$layout" t)"
	[[ "$output" == $'umoci insert\t\tfalse' ]]
}

@test "lade insert a file, --tag, --opaque, --compress and maps" {
	requires zstd
	setup_src
	layout="$TESTDIR/img"
	new_image "$layout" t
	lade_ok insert --image "$layout:t" --tag other --compress zstd --uid-map 0:0:10 --gid-map 0:0:10 \
		--history.author me "$TESTDIR/src/d/f" /etc/f
	[[ "$(jq '.layers | length' "$(manifest_of "$layout" t)")" == 0 ]]
	[[ "$(jq -r '.layers[0].mediaType' "$(manifest_of "$layout" other)")" == application/vnd.oci.image.layer.v1.tar+zstd ]]
	run -0 last_layer "$layout" other
	[[ "$output" == "etc/f 0:0" ]]
	[[ "$(jq -r '.history[-1].author' "$(config_of "$layout" other)")" == me ]]
	lade_ok insert --image "$layout:t" --opaque "$TESTDIR/src/d" /etc
	run -0 last_layer "$layout" t
	[[ "${lines[0]}" == "etc/.wh..wh..opq 0:0" && "${lines[1]}" == "etc/ 0:0" ]] || fail "layer: $output"
	image-verify "$layout"
}

@test "lade insert maps owners back through --uid-map" {
	requires root
	setup_src
	chown -R 1005:1007 "$TESTDIR/src/d"
	layout="$TESTDIR/img"
	new_image "$layout" t
	lade_ok insert --image "$layout:t" --uid-map 0:1000:100 --gid-map 0:1000:100 "$TESTDIR/src/d/f" /f
	run -0 last_layer "$layout" t
	[[ "$output" == "f 5:7" ]]
	lade_ok insert --image "$layout:t" --rootless "$TESTDIR/src/d/f" /g
	run -0 last_layer "$layout" t
	[[ "$output" == "g 0:0" ]]
}

@test "lade insert --whiteout" {
	layout="$TESTDIR/img"
	new_image "$layout" t
	lade_ok insert --image "$layout:t" --whiteout /opt/x
	run -0 last_layer "$layout" t
	[[ "$output" == "opt/.wh.x 0:0" ]]
	image-verify "$layout"
}

@test "lade insert errors" {
	setup_src
	layout="$TESTDIR/img"
	new_image "$layout" t
	lade_fail insert --image "$layout:t" "$TESTDIR/src/d"
	lade_fail insert --image "$layout:t" "$TESTDIR/src/d" /a /b
	lade_fail insert --image "$layout:t" --whiteout
	lade_fail insert --image "$layout:t" --whiteout /a ""
	# --whiteout takes exactly one target, as umoci's does.
	lade_fail insert --image "$layout:t" --whiteout /a /b
	[[ "$output" == *"invalid number of positional arguments"* ]] || fail "$output"
	lade_fail insert --image "$layout:t" --whiteout-target /a /b
	lade_fail insert --image "$layout:t" --whiteout-target /a --whiteout /b
	lade_fail insert --image "$layout:t" --whiteout-target ""
	lade_fail insert --image "$layout:t" --opaque --whiteout-target /a
	lade_fail insert --image "$layout:t" --opaque --whiteout /a
	lade_fail insert --image "$layout:t" "$TESTDIR/src/d" /a "$TESTDIR/src/d" ""
	lade_fail insert --image "$layout:t" "$TESTDIR/src/d" /a "$TESTDIR/missing" /b
	lade_fail insert --image "$layout:t" "$TESTDIR/src/d" /a --opaque
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail insert --image "$layout:t" "" /a
	lade_fail insert --image "$layout:t" "$TESTDIR/src/d" ""
	lade_fail insert --image "$layout:t" "$TESTDIR/missing" /a
	lade_fail insert --image "$layout:t" --compress lz4 "$TESTDIR/src/d" /a
	lade_fail insert --image "$layout:t" --tag 'bad tag' "$TESTDIR/src/d" /a
	lade_fail insert --image "$layout:nope" "$TESTDIR/src/d" /a
	[[ "$(jq '.layers | length' "$(manifest_of "$layout" t)")" == 0 ]]
	image-verify "$layout"
}

@test "lade insert --compress-level trades size for speed, same content" {
	mkdir -p "$TESTDIR/src"
	python3 -c '
import random
r = random.Random(4)
words = ["usr", "lib", "share", "doc", "lade", "layer", "tar", "zstd", "gzip"]
print("\n".join(" ".join(r.choice(words) + str(r.randint(0, 999)) for _ in range(12)) for _ in range(40000)))
' >"$TESTDIR/src/text"
	layout="$TESTDIR/img"
	new_image "$layout" t
	lade_ok insert --image "$layout:t" --tag fast --compress-level 1 "$TESTDIR/src" /src
	lade_ok insert --image "$layout:t" --tag best --compress gzip --compress-level 9 "$TESTDIR/src" /src
	lade_ok insert --image "$layout:t" --tag zfast --compress zstd --compress-level 1 "$TESTDIR/src" /src
	image-verify "$layout"
	fast="$(jq -r '.layers[-1].size' "$(manifest_of "$layout" fast)")"
	best="$(jq -r '.layers[-1].size' "$(manifest_of "$layout" best)")"
	(( fast > best )) || fail "level 1 layer $fast bytes, level 9 $best"
	# Same uncompressed layer whatever the level or algorithm.
	[[ "$(jq -r '.rootfs.diff_ids[-1]' "$(config_of "$layout" fast)")" == "$(jq -r '.rootfs.diff_ids[-1]' "$(config_of "$layout" best)")" ]]
	[[ "$(jq -r '.rootfs.diff_ids[-1]' "$(config_of "$layout" zfast)")" == "$(jq -r '.rootfs.diff_ids[-1]' "$(config_of "$layout" best)")" ]]
	[[ "$(jq -r '.layers[-1].mediaType' "$(manifest_of "$layout" zfast)")" == application/vnd.oci.image.layer.v1.tar+zstd ]]

	lade_fail insert --image "$layout:t" --tag bad --compress-level 10 "$TESTDIR/src" /src
	[[ "$output" == *"--compress-level 10"*"gzip level 10 out of range 1-9"* ]] || fail "$output"
	(( ${#lines[@]} == 1 )) || fail "$output"
	lade_fail insert --image "$layout:t" --tag bad --compress none --compress-level 3 "$TESTDIR/src" /src
	run -0 "$LADE" ls --layout "$layout"
	[[ "$output" == "$(printf "%s\n" t fast best zfast)" ]] || fail "tags: $output"
}

@test "lade insert several pairs into one layer, --whiteout-target several targets" {
	setup_src
	echo motd >"$TESTDIR/src/motd"
	layout="$TESTDIR/img"
	new_image "$layout" t
	lade_ok insert --image "$layout:t" --tag two "$TESTDIR/src/d" /opt/d "$TESTDIR/src/motd" /etc/motd
	[[ "$(jq '.layers | length' "$(manifest_of "$layout" two)")" == 1 ]]
	run -0 last_layer "$layout" two
	[[ "$output" == "$(printf '%s\n' 'opt/d/ 0:0' 'opt/d/f 0:0' 'opt/d/h link opt/d/f 0:0' 'opt/d/l -> f 0:0' 'etc/motd 0:0')" ]] || fail "layer: $output"
	[[ "$(jq '.history | length' "$(config_of "$layout" two)")" == 1 ]]
	lade_ok insert --image "$layout:two" --tag gone --whiteout-target /opt/d --whiteout-target /etc/motd
	run -0 last_layer "$layout" gone
	[[ "$output" == "$(printf '%s\n' 'opt/.wh.d 0:0' 'etc/.wh.motd 0:0')" ]] || fail "layer: $output"
	lade_ok unpack --image "$layout:two" "$TESTDIR/b2"
	[[ "$(cat "$TESTDIR/b2/rootfs/etc/motd")" == motd && "$(cat "$TESTDIR/b2/rootfs/opt/d/h")" == hello ]]
	lade_ok unpack --image "$layout:gone" "$TESTDIR/b3"
	[[ ! -e "$TESTDIR/b3/rootfs/etc/motd" && ! -e "$TESTDIR/b3/rootfs/opt/d" && -d "$TESTDIR/b3/rootfs/opt" ]]
	# umoci reads the two-pair layer the same way.
	umoci unpack --image "$layout:two" "$TESTDIR/u2" >/dev/null 2>&1 || fail "umoci unpack failed"
	diff -r "$TESTDIR/b2/rootfs" "$TESTDIR/u2/rootfs"
	image-verify "$layout"
}
