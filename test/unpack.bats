#!/usr/bin/env bats
# lade unpack --image PATH[:TAG] [--rootless] [--uid-map M]... [--gid-map M]... [--keep-dirlinks] BUNDLE

load helpers

setup_file() {
	build_mkimage
}

# manifest_hex LAYOUT [TAG]: the hex digest of the manifest TAG points at.
manifest_hex() {
	jq -r --arg t "${2:-latest}" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
		"$1/index.json" | cut -d: -f2
}

@test "lade unpack" {
	image="$(small_image img)"
	lade_ok unpack --image "$image" "$TESTDIR/a/bundle"
	[[ -z "$output" ]]
	bundle="$TESTDIR/a/bundle"
	hex="$(manifest_hex "$image")"

	[[ "$(stat -c %a "$bundle")" == 700 ]]
	for f in config.json rootfs "sha256_$hex.mtree" umoci.json; do
		[[ -e "$bundle/$f" ]] || fail "bundle lacks $f"
	done
	[[ "$(stat -c %a "$bundle/sha256_$hex.mtree")" == 644 ]]
	grep -q '^#      keywords: size,type,uid,gid,mode,link,nlink,tar_time,sha256digest,xattr$' "$bundle/sha256_$hex.mtree"

	# The layers: edits, whiteouts, opaque directory, hardlinks, symlinks.
	rootfs="$bundle/rootfs"
	[[ "$(cat "$rootfs/etc/hostname")" == small-v2 ]]
	[[ ! -e "$rootfs/opt/app/old.txt" && ! -e "$rootfs/opt/tmp" ]]
	[[ "$(ls "$rootfs/opt/lib")" == c ]]
	[[ "$(stat -c %h "$rootfs/usr/bin/hello")" == 3 ]]
	[[ "$(readlink "$rootfs/etc/alias")" == /etc/hostname ]]
	[[ "$(stat -c '%a %u:%g' "$rootfs/usr/bin/su")" == "4755 0:0" ]]
	[[ "$(stat -c '%u:%g' "$rootfs/home/user/notes")" == "1000:1000" ]]

	run -0 jq -e '.root.path == "rootfs" and .process.args == ["/usr/bin/hello"] and .process.cwd == "/opt/app"
		and (.process.env | index("SMALL=1")) and .annotations["org.example.kind"] == "small"' "$bundle/config.json"
	run -0 jq -e --arg d "sha256:$hex" '.umoci_version == "2" and .from_descriptor_path.descriptor_walk[0].digest == $d
		and .from_descriptor_path.descriptor_walk[0].annotations["org.opencontainers.image.ref.name"] == "latest"
		and .map_options == {"uid_mappings": null, "gid_mappings": null, "rootless": false}
		and (has("whiteout_mode") | not)' "$bundle/umoci.json"

	lade_ok raw mtree-validate -f "$bundle/sha256_$hex.mtree" -p "$rootfs"
	[[ -z "$output" ]]
	# The layout is unchanged by an unpack.
	image-verify "$image"
}

@test "lade unpack into an existing directory" {
	image="$(small_image img)"
	mkdir -p "$TESTDIR/bundle"
	echo mine >"$TESTDIR/bundle/notes"
	chmod 755 "$TESTDIR/bundle"
	lade_ok unpack --image "$image:latest" "$TESTDIR/bundle"
	[[ "$(stat -c %a "$TESTDIR/bundle")" == 700 ]]
	[[ "$(cat "$TESTDIR/bundle/notes")" == mine ]]
}

@test "lade unpack refuses an unpacked bundle" {
	image="$(small_image img)"
	for existing in config.json rootfs; do
		rm -rf "$TESTDIR/bundle"
		mkdir -p "$TESTDIR/bundle/$existing"
		lade_fail unpack --image "$image" "$TESTDIR/bundle"
		[[ "$output" == *"$existing already exists"* ]]
		[[ "$(ls "$TESTDIR/bundle")" == "$existing" ]]
		[[ -z "$(ls "$TESTDIR/bundle/$existing")" ]]
	done
	# A second unpack into the same bundle is refused too.
	rm -rf "$TESTDIR/bundle"
	lade_ok unpack --image "$image" "$TESTDIR/bundle"
	lade_fail unpack --image "$image" "$TESTDIR/bundle"
	[[ "$output" == *"config.json already exists"* ]]
}

@test "lade unpack leaves nothing behind on failure and can be retried" {
	image="$(small_image img)"
	# Corrupt the last layer blob (flip one byte in the middle).
	layer="$(jq -r '.layers[-1].digest' "$image/blobs/sha256/$(manifest_hex "$image")" | cut -d: -f2)"
	blob="$image/blobs/sha256/$layer"
	cp "$blob" "$TESTDIR/blob.orig"
	chmod u+w "$blob"
	size="$(stat -c %s "$blob")"
	printf '\xff' | dd of="$blob" bs=1 seek=$((size / 2)) conv=notrunc status=none
	cmp -s "$blob" "$TESTDIR/blob.orig" && fail "blob not corrupted"

	lade_fail unpack --image "$image" "$TESTDIR/new/bundle"
	[[ "$output" == *"verified reader digest mismatch"* ]] || fail "$output"
	[[ ! -e "$TESTDIR/new" ]]
	cp "$blob" "$TESTDIR/blob.bad"
	cp "$TESTDIR/blob.orig" "$blob" && echo >>"$blob"
	lade_fail unpack --image "$image" "$TESTDIR/new/bundle"
	[[ "$output" == *"verified reader size mismatch"* ]] || fail "$output"
	[[ ! -e "$TESTDIR/new" ]]
	cp "$TESTDIR/blob.bad" "$blob"

	mkdir "$TESTDIR/bundle"
	echo mine >"$TESTDIR/bundle/notes"
	lade_fail unpack --image "$image" "$TESTDIR/bundle"
	[[ "$(ls -A "$TESTDIR/bundle")" == notes ]]

	cp "$TESTDIR/blob.orig" "$blob"
	lade_ok unpack --image "$image" "$TESTDIR/bundle"
	[[ -f "$TESTDIR/bundle/config.json" ]]
}

@test "lade unpack of an image with an unknown user leaves no config.json" {
	# umoci leaves an empty config.json here, which blocks a retry.
	layout="$TESTDIR/img"
	umoci_image "$layout" base
	umoci config --image "$layout:base" --tag bad --config.user nobody-here
	lade_fail unpack --image "$layout:bad" "$TESTDIR/bundle"
	[[ "$output" == *"nobody-here"* ]]
	[[ -z "$(ls -A "$TESTDIR/bundle")" ]]
	lade_ok unpack --image "$layout:base" "$TESTDIR/bundle"
}

@test "lade unpack of an image whose /etc is a file has no user database" {
	# As umoci: /etc/passwd under a non-directory is like a missing one.
	layout="$TESTDIR/img"
	new_image "$layout" t
	echo "not a directory" >"$TESTDIR/etc"
	lade_ok insert --rootless --image "$layout:t" "$TESTDIR/etc" /etc
	lade_ok unpack --rootless --image "$layout:t" "$TESTDIR/b1"
	[[ "$(jq -c .process.user "$TESTDIR/b1/config.json")" == '{"uid":0,"gid":0}' ]]
	[[ -f "$TESTDIR/b1/rootfs/etc" ]]
	lade_ok config --image "$layout:t" --config.user 1000:100
	lade_ok unpack --rootless --image "$layout:t" "$TESTDIR/b2"
	[[ "$(jq -c .process.user "$TESTDIR/b2/config.json")" == '{"uid":1000,"gid":100}' ]]
	lade_ok raw runtime-config --rootless --image "$layout:t" --rootfs "$TESTDIR/b2/rootfs" "$TESTDIR/c.json"
	lade_ok config --image "$layout:t" --config.user app
	lade_fail unpack --rootless --image "$layout:t" "$TESTDIR/b3"
	[[ "$output" == *"unable to find user app: no matching entries in passwd file"* ]] || fail "$output"
}

@test "lade unpack --keep-dirlinks" {
	requires umoci
	layout="$TESTDIR/img"
	umoci init --layout "$layout"
	umoci new --image "$layout:base"
	mkdir -p "$TESTDIR/src1/usr/lib" "$TESTDIR/src2"
	ln -s usr/lib "$TESTDIR/src1/lib"
	echo x >"$TESTDIR/src2/x"
	umoci insert --rootless --image "$layout:base" "$TESTDIR/src1/usr" /usr
	umoci insert --rootless --image "$layout:base" "$TESTDIR/src1/lib" /lib
	umoci insert --rootless --image "$layout:base" "$TESTDIR/src2" /lib

	lade_ok unpack --image "$layout:base" "$TESTDIR/plain"
	[[ -d "$TESTDIR/plain/rootfs/lib" && ! -L "$TESTDIR/plain/rootfs/lib" ]]
	[[ -f "$TESTDIR/plain/rootfs/lib/x" && ! -e "$TESTDIR/plain/rootfs/usr/lib/x" ]]

	lade_ok unpack --keep-dirlinks --image "$layout:base" "$TESTDIR/keep"
	[[ "$(readlink "$TESTDIR/keep/rootfs/lib")" == usr/lib ]]
	[[ "$(cat "$TESTDIR/keep/rootfs/usr/lib/x")" == x ]]
}

@test "lade unpack --keep-dirlinks replaces a symlink loop by the directory, as umoci" {
	layout="$TESTDIR/img"
	new_image "$layout" t
	r1="$TESTDIR/r1" r2="$TESTDIR/r2"
	mkdir -p "$r1/dir" "$r2/link" "$r2/link2" "$r2/loop1"
	touch "$r1/dir/a" "$r2/link/b" "$r2/link2/c" "$r2/loop1/broken"
	ln -s dir "$r1/link"
	ln -s link "$r1/link2"
	ln -s loop2 "$r1/loop1"
	ln -s loop3 "$r1/loop2"
	ln -s link2/loop4 "$r1/loop3"
	ln -s ../loop1 "$r1/dir/loop4"
	tar -cf "$TESTDIR/l1.tar" -C "$r1" .
	tar -cf "$TESTDIR/l2.tar" -C "$r2" .
	lade_ok raw add-layer --image "$layout:t" "$TESTDIR/l1.tar"
	lade_ok raw add-layer --image "$layout:t" "$TESTDIR/l2.tar"
	lade_ok unpack --rootless --keep-dirlinks --image "$layout:t" "$TESTDIR/b"
	root="$TESTDIR/b/rootfs"
	[[ -f "$root/dir/a" && -f "$root/dir/b" && -f "$root/dir/c" ]]
	[[ "$(readlink "$root/link")" == dir && "$(readlink "$root/link2")" == link ]]
	[[ -d "$root/loop1" && ! -L "$root/loop1" && -f "$root/loop1/broken" ]]
	[[ "$(readlink "$root/loop2")" == loop3 && "$(readlink "$root/loop3")" == link2/loop4 ]]
	[[ "$(readlink "$root/dir/loop4")" == ../loop1 ]]
	lade_ok raw unpack --rootless --keep-dirlinks --image "$layout:t" "$TESTDIR/raw"
	[[ -d "$TESTDIR/raw/loop1" && -f "$TESTDIR/raw/loop1/broken" ]]
}

@test "lade unpack --uid-map --gid-map" {
	requires root
	image="$(small_image img)"
	lade_ok unpack --uid-map 0:100000:65536 --gid-map 0:200000:65536 --image "$image" "$TESTDIR/bundle"
	[[ "$(stat -c '%u:%g' "$TESTDIR/bundle/rootfs")" == "100000:200000" ]]
	[[ "$(stat -c '%u:%g' "$TESTDIR/bundle/rootfs/home/user/notes")" == "101000:201000" ]]
	run -0 jq -e '.map_options.uid_mappings == [{"containerID": 0, "hostID": 100000, "size": 65536}]
		and .map_options.gid_mappings == [{"containerID": 0, "hostID": 200000, "size": 65536}]' "$TESTDIR/bundle/umoci.json"
	run -0 jq -e '.linux.uidMappings[0].hostID == 100000 and (.linux.namespaces | map(.type) | index("user"))' \
		"$TESTDIR/bundle/config.json"
}

# as_nobody CMD...: run CMD as uid/gid 65534 with no supplementary groups.
as_nobody() {
	run setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	echo "as 65534: $* => status $status" >&2
	echo "$output" >&2
}

@test "lade unpack --rootless as an unprivileged user" {
	requires root setpriv
	image="$(small_image img)"
	work="$(mktemp -d /tmp/lade-rootless.XXXXXX)"
	cp "$LADE" "$work/lade"
	cp -r "$image" "$work/img"
	chmod 755 "$work"
	chown -R 65534:65534 "$work"

	as_nobody "$work/lade" unpack --image "$work/img" "$work/noflag"
	status_noflag="$status" output_noflag="$output"
	as_nobody "$work/lade" unpack --rootless --image "$work/img" "$work/bundle"
	status_rootless="$status"
	hex="$(jq -r '.manifests[0].digest' "$work/img/index.json" | cut -d: -f2)"
	if [[ "$status_rootless" -eq 0 ]]; then
		as_nobody "$work/lade" raw mtree-validate --rootless -f "$work/bundle/sha256_$hex.mtree" -p "$work/bundle/rootfs"
		status_validate="$status"
	fi
	owner="$(stat -c '%u:%g' "$work/bundle/rootfs/home/user/notes" 2>/dev/null || true)"
	meta="$(cat "$work/bundle/umoci.json" 2>/dev/null || true)"
	cfg="$(cat "$work/bundle/config.json" 2>/dev/null || true)"
	noflag_left="$(ls -A "$work" | tr '\n' ' ')"
	rm -rf "$work"

	[[ "$status_noflag" -eq 1 ]] || fail "unpack without --rootless: status $status_noflag"
	[[ "$output_noflag" == *"--rootless"* ]] || fail "no --rootless hint: $output_noflag"
	[[ "$noflag_left" != *noflag* ]] || fail "failed unpack left $work/noflag"
	[[ "$status_rootless" -eq 0 ]] || fail "rootless unpack failed"
	[[ "$status_validate" -eq 0 ]] || fail "rootless bundle does not validate"
	[[ "$owner" == "65534:65534" ]]
	jq -e '.map_options == {"uid_mappings": [{"containerID": 0, "hostID": 65534, "size": 1}],
		"gid_mappings": [{"containerID": 0, "hostID": 65534, "size": 1}], "rootless": true}' <<<"$meta"
	jq -e '(.linux.namespaces | map(.type) | index("user")) and (.linux.namespaces | map(.type) | index("network") | not)
		and .linux.uidMappings[0].hostID == 65534' <<<"$cfg"
}

@test "lade unpack [invalid arguments]" {
	image="$(small_image img)"
	lade_fail unpack "$TESTDIR/bundle"
	[[ "$output" == *"missing mandatory argument: --image"* ]]
	lade_fail unpack --image "$image"
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail unpack --image "$image" "$TESTDIR/a" "$TESTDIR/b"
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail unpack --image "$image" "$TESTDIR/a" --rootless
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail unpack --image "$image:nosuchtag" "$TESTDIR/bundle"
	[[ "$output" == *"nosuchtag"* ]]
	lade_fail unpack --image "$TESTDIR/nolayout" "$TESTDIR/bundle"
	[[ "$output" == *"open CAS"* ]]
	lade_fail unpack --image "$image:" "$TESTDIR/bundle"
	lade_fail unpack --uid-map 0:x --image "$image" "$TESTDIR/bundle"
	[[ "$output" == *"--uid-map"* ]]
	lade_fail unpack --gid-map 0:1:0 --image "$image" "$TESTDIR/bundle"
	[[ "$output" == *"--gid-map"* ]]
	lade_fail unpack --uid-map 0:1000:10 --uid-map 5:2000:1 --image "$image" "$TESTDIR/bundle"
	[[ "$output" == *"--uid-map: mapping 1 (5:2000:1) overlaps mapping 0 (0:1000:10) in container ids"* ]] || fail "$output"
	lade_fail unpack --gid-map 0:1000:10 --gid-map 100:1005:1 --image "$image" "$TESTDIR/bundle"
	[[ "$output" == *"in host ids"* ]] || fail "$output"
	lade_fail unpack --no-such-flag --image "$image" "$TESTDIR/bundle"
	touch "$TESTDIR/file"
	lade_fail unpack --image "$image" "$TESTDIR/file"
	lade_fail unpack --image "$image" "$TESTDIR/file/bundle"
	# None of these created the bundle.
	[[ ! -e "$TESTDIR/bundle" && ! -e "$TESTDIR/a" ]]
}

@test "lade unpack --help" {
	lade_ok unpack --help
	[[ "$output" == *"DESCRIPTION:"* && "$output" == *"--keep-dirlinks"* && "$output" == *"--rootless"* ]]
	[[ "$output" == *"--uid-map"* && "$output" == *"--gid-map"* && "$output" == *"--image"* ]]
}

@test "lade unpack --progress: lines on stderr for logs, nothing by default off a terminal" {
	"$MKIMAGE" small "$TESTDIR/img:latest" >&2
	run --separate-stderr "$LADE" unpack --image "$TESTDIR/img" "$TESTDIR/b1"
	[[ "$status" -eq 0 && -z "$output" && -z "$stderr" ]]
	run --separate-stderr "$LADE" unpack --progress plain --image "$TESTDIR/img" "$TESTDIR/b2"
	[[ "$status" -eq 0 && -z "$output" ]]
	[[ "$stderr" == *"Unpacking layer "*"3 blobs (3 done)"* ]] || fail "progress: $stderr"
	echo new >"$TESTDIR/b2/rootfs/new"
	run --separate-stderr "$LADE" repack --progress plain --image "$TESTDIR/img:next" "$TESTDIR/b2"
	[[ "$status" -eq 0 && -z "$output" && "$stderr" == *"Repacking layer"* ]] || fail "repack progress: $stderr"
	lade_fail unpack --progress loud --image "$TESTDIR/img" "$TESTDIR/b3"
}
