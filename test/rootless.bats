#!/usr/bin/env bats
# Rootless mode end to end: as root, run lade as uid 65534 (setpriv) through
# unpack --rootless -> change -> repack -> insert --rootless -> raw unpack
# --rootless, and check that owners live in user.rootlesscontainers on disk
# and come back from it into the layers.

load helpers

NOBODY=65534

setup() {
	TESTDIR="$BATS_TEST_TMPDIR"
	unset SOURCE_DATE_EPOCH
	requires root setpriv getfattr mknod tar
	# bats' own temp dirs are private to root: work where nobody can reach.
	W="$(mktemp -d /tmp/lade-rootless.XXXXXX)"
	chmod 0755 "$W"
	chown "$NOBODY:$NOBODY" "$W"
	# The binary too (the checkout may be below a directory nobody cannot enter).
	install -m 0755 "$LADE" "$W/lade"
}

teardown() {
	[[ -n "${W:-}" ]] && rm -rf "$W"
}

# nobody CMD...: run CMD as uid/gid 65534 without supplementary groups.
nobody() {
	setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups "$@"
}

# lade_nobody ARGS...: `run` lade as nobody in $W.
lade_nobody() {
	run nobody env -C "$W" "$W/lade" "$@"
	echo "nobody: lade $* => status $status" >&2
	echo "$output" >&2
}

lade_nobody_ok() {
	lade_nobody "$@"
	[[ "$status" -eq 0 ]] || fail "nobody: lade $* failed with status $status: $output"
}

# owner_xattr PATH: the uid:gid recorded in PATH's user.rootlesscontainers
# xattr (protobuf: field 1 uid, field 2 gid, varints; absent fields are 0),
# or "none".
owner_xattr() {
	local hex
	hex="$(getfattr --absolute-names -h -n user.rootlesscontainers -e hex "$1" 2>/dev/null |
		sed -n 's/^user.rootlesscontainers=0x//p')"
	[[ -n "$hex" ]] || { echo none; return; }
	local -a b=()
	local i
	for ((i = 0; i < ${#hex}; i += 2)); do b+=($((16#${hex:i:2}))); done
	local ids=(0 0 0) key v shift
	i=0
	while ((i < ${#b[@]})); do
		key=${b[i]}
		i=$((i + 1))
		v=0 shift=0
		while :; do
			v=$((v | (b[i] & 0x7f) << shift))
			shift=$((shift + 7))
			i=$((i + 1))
			((b[i - 1] & 0x80)) || break
		done
		ids[key >> 3]=$v
	done
	echo "${ids[1]}:${ids[2]}"
}

# layer_listing LAYOUT TAG: `tar -tv` of the last layer of TAG, numeric
# owners, one "mode uid/gid name" line per entry.
layer_listing() {
	local m d
	m="$1/blobs/sha256/$(jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest | sub("sha256:"; "")' "$1/index.json")"
	d="$(jq -r '.layers[-1].digest | sub("sha256:"; "")' "$m")"
	[[ "$(jq -r '.layers[-1].mediaType' "$m")" == *+gzip ]] || fail "last layer of $2 is not gzip"
	tar --numeric-owner -tvzf "$1/blobs/sha256/$d" | awk '{ print $1, $2, $NF }'
}

# has_entry LISTING MODE OWNER NAME: fail unless the listing has that line.
has_entry() {
	grep -qxF -- "$2 $3 $4" <<<"$1" || fail "no entry '$2 $3 $4' in:
$1"
}

# build_image: $W/layout:orig, one layer made by GNU tar holding files of
# other owners, a mode-000 directory, a device node and a setuid file;
# the layout is then handed to nobody.
build_image() {
	local src="$TESTDIR/src"
	mkdir -p "$src"/{etc,home/user,usr/bin,dev,secret}
	echo owned >"$src/etc/owned"
	chown 1000:1001 "$src/etc/owned"
	echo hi >"$src/home/user/file"
	chown -R 1234:5678 "$src/home/user"
	echo secret >"$src/secret/inner"
	chown 42:43 "$src/secret/inner"
	printf '#!/bin/sh\n' >"$src/usr/bin/su"
	chmod 4755 "$src/usr/bin/su"
	mknod -m 0666 "$src/dev/null" c 1 3
	chmod 000 "$src/secret"
	tar --numeric-owner -C "$src" -cf "$TESTDIR/layer.tar" .
	"$LADE" init --layout "$W/layout"
	"$LADE" new --image "$W/layout:base"
	"$LADE" raw add-layer --image "$W/layout:base" --tag orig "$TESTDIR/layer.tar"
	chown -R "$NOBODY:$NOBODY" "$W/layout"
}

@test "rootless: unpack, change, repack, insert and raw unpack as nobody keep the image's owners" {
	build_image
	local b="$W/bundle" r="$W/bundle/rootfs"

	lade_nobody_ok unpack --rootless --image layout:orig bundle
	# On disk everything is nobody's; the image owners are in the xattr.
	[[ "$(stat -c %u:%g "$r/etc/owned")" == "$NOBODY:$NOBODY" ]] || fail "etc/owned on disk: $(stat -c %u:%g "$r/etc/owned")"
	[[ "$(owner_xattr "$r/etc/owned")" == 1000:1001 ]] || fail "etc/owned xattr: $(owner_xattr "$r/etc/owned")"
	[[ "$(owner_xattr "$r/home/user")" == 1234:5678 ]] || fail "home/user xattr: $(owner_xattr "$r/home/user")"
	[[ "$(owner_xattr "$r/secret/inner")" == 42:43 ]] || fail "secret/inner xattr: $(owner_xattr "$r/secret/inner")"
	[[ "$(owner_xattr "$r/usr/bin/su")" == none ]] || fail "usr/bin/su (0:0) has an xattr"
	[[ "$(stat -c %a "$r/secret")" == 0 ]] || fail "secret mode $(stat -c %a "$r/secret")"
	[[ "$(stat -c %a "$r/usr/bin/su")" == 4755 ]] || fail "su mode $(stat -c %a "$r/usr/bin/su")"
	# No mknod without privileges: an empty placeholder stands for the device.
	[[ "$(stat -c %F:%s "$r/dev/null")" == "regular empty file:0" ]] || fail "dev/null: $(stat -c %F:%s "$r/dev/null")"
	jq -e '.linux.uidMappings[0].hostID == 65534' "$b/config.json" >/dev/null || fail "config.json has no rootless uid map"
	# The saved manifest matches the tree read rootlessly (000 dir included).
	local mtree=("$b"/sha256_*.mtree)
	lade_nobody_ok raw mtree-validate --rootless --path bundle/rootfs --manifest "${mtree[0]}"
	[[ "$(stat -c %a "$r/secret")" == 0 ]] || fail "secret mode after mtree-validate $(stat -c %a "$r/secret")"

	# Change the rootfs as nobody, inside the 000 directory too (the way a
	# user must: open it, write, close it again).
	nobody sh -c "echo changed >'$r/etc/owned' && chmod 0700 '$r/secret' && echo more >>'$r/secret/inner' &&
		echo new >'$r/secret/new' && chmod 0000 '$r/secret' && echo added >'$r/added'"
	lade_nobody_ok repack --image layout:new bundle
	[[ "$(stat -c %a "$r/secret")" == 0 ]] || fail "secret mode after repack $(stat -c %a "$r/secret")"

	local l
	l="$(layer_listing "$W/layout" new)"
	grep -q "$NOBODY" <<<"$l" && fail "the unprivileged uid leaked into the layer:
$l"
	has_entry "$l" -rw-r--r-- 1000/1001 etc/owned
	has_entry "$l" -rw-r--r-- 42/43 secret/inner
	has_entry "$l" -rw-r--r-- 0/0 secret/new
	has_entry "$l" -rw-r--r-- 0/0 added

	# insert --rootless of part of the rootless rootfs: owners come from the
	# xattrs again, and the 000 directory is read.
	lade_nobody_ok insert --rootless --image layout:new --tag ins bundle/rootfs/secret /opt/secret
	l="$(layer_listing "$W/layout" ins)"
	has_entry "$l" d--------- 0/0 opt/secret/
	has_entry "$l" -rw-r--r-- 42/43 opt/secret/inner
	has_entry "$l" -rw-r--r-- 0/0 opt/secret/new
	[[ "$(stat -c %a "$r/secret")" == 0 ]] || fail "secret mode after insert $(stat -c %a "$r/secret")"

	lade_nobody_ok raw unpack --rootless --image layout:ins raw
	[[ "$(owner_xattr "$W/raw/opt/secret/inner")" == 42:43 ]] || fail "raw opt/secret/inner xattr: $(owner_xattr "$W/raw/opt/secret/inner")"
	[[ "$(owner_xattr "$W/raw/etc/owned")" == 1000:1001 ]] || fail "raw etc/owned xattr: $(owner_xattr "$W/raw/etc/owned")"
	[[ "$(cat "$W/raw/etc/owned")" == changed ]] || fail "raw etc/owned content"
	[[ "$(stat -c %a "$W/raw/opt/secret")" == 0 ]] || fail "raw opt/secret mode $(stat -c %a "$W/raw/opt/secret")"

	# The full round trip, unpacked by root: the original owners, modes and
	# the device node survived.
	lade_ok unpack --image "$W/layout:ins" "$TESTDIR/rb"
	local rr="$TESTDIR/rb/rootfs" p want
	for p in etc/owned:1000:1001 home/user:1234:5678 home/user/file:1234:5678 secret/inner:42:43 \
		secret/new:0:0 added:0:0 opt/secret/inner:42:43 usr/bin/su:0:0; do
		want="${p#*:}"
		[[ "$(stat -c %u:%g "$rr/${p%%:*}")" == "$want" ]] || fail "${p%%:*} owner $(stat -c %u:%g "$rr/${p%%:*}"), want $want"
	done
	[[ "$(stat -c %a "$rr/usr/bin/su")" == 4755 ]] || fail "su mode after round trip $(stat -c %a "$rr/usr/bin/su")"
	[[ "$(stat -c %a "$rr/secret")" == 0 ]] || fail "secret mode after round trip"
	[[ "$(stat -c %F:%t:%T "$rr/dev/null")" == "character special file:1:3" ]] || fail "dev/null after round trip: $(stat -c %F:%t:%T "$rr/dev/null")"
	[[ "$(cat "$rr/secret/inner")" == "secret
more" ]] || fail "secret/inner content: $(cat "$rr/secret/inner")"
}

@test "rootless: the directory above the bundle is never touched" {
	build_image
	# A read-only parent: any chmod-and-restore of it shows in its ctime.
	mkdir "$W/outer"
	chown "$NOBODY:$NOBODY" "$W/outer"
	nobody mkdir "$W/outer/bundle"
	chmod 0500 "$W/outer"
	local before
	before="$(stat -c %a:%Z.%z "$W/outer")"
	sleep 1.1 # ctime in seconds (%Z) must be able to move
	lade_nobody_ok unpack --rootless --image layout:orig outer/bundle
	nobody sh -c "chmod 0700 '$W/outer/bundle/rootfs/secret' && echo x >'$W/outer/bundle/rootfs/secret/x' &&
		chmod 0000 '$W/outer/bundle/rootfs/secret'"
	lade_nobody_ok repack --image layout:next outer/bundle
	lade_nobody_ok insert --rootless --image layout:next outer/bundle/rootfs/secret /s
	[[ "$(stat -c %a:%Z.%z "$W/outer")" == "$before" ]] || fail "outer changed: $before -> $(stat -c %a:%Z.%z "$W/outer")"
	chmod 0755 "$W/outer"
}

@test "rootless: nobody without --rootless is told to use it" {
	build_image
	lade_nobody unpack --image layout:orig bundle
	[[ "$status" -eq 1 ]] || fail "unpack without --rootless exited $status"
	[[ "$output" == *--rootless* ]] || fail "unpack error does not mention --rootless: $output"
	[[ ! -e "$W/bundle/rootfs" ]] || fail "failed unpack left a rootfs"

	lade_nobody raw unpack --image layout:orig raw
	[[ "$status" -eq 1 ]] || fail "raw unpack without --rootless exited $status"
	[[ "$output" == *--rootless* ]] || fail "raw unpack error does not mention --rootless: $output"

	# insert without --rootless of a tree nobody cannot read.
	mkdir -p "$W/src/locked"
	echo x >"$W/src/locked/f"
	chown -R "$NOBODY:$NOBODY" "$W/src"
	chmod 000 "$W/src/locked"
	lade_nobody insert --image layout:orig --tag ins src /src
	[[ "$status" -eq 1 ]] || fail "insert of an unreadable tree without --rootless exited $status"
	[[ "$output" == *--rootless* ]] || fail "insert error does not mention --rootless: $output"
	lade_nobody_ok insert --rootless --image layout:orig --tag ins src /src
	[[ "$(stat -c %a "$W/src/locked")" == 0 ]] || fail "insert source mode not restored"

	# A bundle unpacked with --rootless repacks without the flag: umoci.json
	# remembers rootless mode.
	lade_nobody_ok unpack --rootless --image layout:orig bundle
	lade_nobody_ok repack --image layout:re bundle
}
