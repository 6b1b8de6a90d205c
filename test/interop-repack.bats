#!/usr/bin/env bats
# Interop of repack/insert/raw add-layer results with Debian's umoci and skopeo.

load helpers

# same_tree DIR1 DIR2: both trees have the same names, types, owners,
# modes, sizes, symlink targets and file contents (times are not compared).
same_tree() {
	diff -u <(cd "$1" && find . -mindepth 1 -printf '%p %y %U:%G %m %s %l %n\n' | sort) \
		<(cd "$2" && find . -mindepth 1 -printf '%p %y %U:%G %m %s %l %n\n' | sort) || return 1
	diff -r --no-dereference "$1" "$2"
}

# lade_modified_image LAYOUT: a two-layer image made by lade: insert, then
# unpack + changes + repack, tagged "out".
lade_modified_image() {
	mkdir -p "$TESTDIR/src/d"
	echo hello >"$TESTDIR/src/d/f"
	ln "$TESTDIR/src/d/f" "$TESTDIR/src/d/h"
	ln -s f "$TESTDIR/src/d/l"
	touch -h -d @1000000000 "$TESTDIR/src/d/l" "$TESTDIR/src/d/f" "$TESTDIR/src/d"
	new_image "$1" t
	"$LADE" insert --image "$1:t" "$TESTDIR/src/d" /opt/d
	"$LADE" unpack --image "$1:t" "$TESTDIR/lb"
	echo new >"$TESTDIR/lb/rootfs/newfile"
	rm "$TESTDIR/lb/rootfs/opt/d/h"
	mkdir "$TESTDIR/lb/rootfs/etc" && echo x >"$TESTDIR/lb/rootfs/etc/x" && chmod 0600 "$TESTDIR/lb/rootfs/etc/x"
	"$LADE" repack --image "$1:out" --compress gzip "$TESTDIR/lb"
}

@test "umoci unpacks what lade repacked to the tree lade sees" {
	requires umoci
	layout="$TESTDIR/img"
	lade_modified_image "$layout"
	lade_ok unpack --image "$layout:out" "$TESTDIR/lade-bundle"
	run umoci unpack --image "$layout:out" "$TESTDIR/umoci-bundle"
	[[ "$status" -eq 0 ]] || fail "umoci unpack: $output"
	same_tree "$TESTDIR/lade-bundle/rootfs" "$TESTDIR/umoci-bundle/rootfs"
	[[ ! -e "$TESTDIR/umoci-bundle/rootfs/opt/d/h" && -f "$TESTDIR/umoci-bundle/rootfs/newfile" ]]
	# And umoci's own manifest of its tree holds for lade's.
	lade_ok raw mtree-validate -f "$TESTDIR"/umoci-bundle/sha256_*.mtree -p "$TESTDIR/lade-bundle/rootfs" -k type,uid,gid,mode,size,link,sha256digest
}

@test "lade repacks a bundle unpacked by umoci" {
	requires umoci
	layout="$TESTDIR/img"
	umoci_image "$layout" u
	run umoci unpack --image "$layout:u" "$TESTDIR/ub"
	[[ "$status" -eq 0 ]] || fail "umoci unpack: $output"
	grep -q '"whiteout_mode":0' "$TESTDIR/ub/umoci.json"
	echo added >"$TESTDIR/ub/rootfs/added"
	rm "$TESTDIR/ub/rootfs/hello"
	lade_ok repack --image "$layout:r" --refresh-bundle "$TESTDIR/ub"
	image-verify "$layout"
	run umoci unpack --image "$layout:r" "$TESTDIR/check"
	[[ "$status" -eq 0 ]] || fail "umoci unpack of lade's repack: $output"
	[[ "$(cat "$TESTDIR/check/rootfs/added")" == added && ! -e "$TESTDIR/check/rootfs/hello" ]]
	# umoci repacks the bundle lade refreshed.
	echo more >"$TESTDIR/ub/rootfs/more"
	run umoci repack --image "$layout:r2" "$TESTDIR/ub"
	[[ "$status" -eq 0 ]] || fail "umoci repack after lade refresh: $output"
	run umoci unpack --image "$layout:r2" "$TESTDIR/check2"
	[[ "$status" -eq 0 && -f "$TESTDIR/check2/rootfs/more" && -f "$TESTDIR/check2/rootfs/added" ]]
}

@test "skopeo copies lade's result to another layout and to docker-archive" {
	requires skopeo
	layout="$TESTDIR/img"
	lade_modified_image "$layout"
	echo layer >"$TESTDIR/extra"
	"$LADE" insert --image "$layout:out" "$TESTDIR/extra" /extra
	run skopeo copy "oci:$layout:out" "oci:$TESTDIR/copy:c"
	[[ "$status" -eq 0 ]] || fail "skopeo copy oci: $output"
	image-verify "$TESTDIR/copy"
	lade_ok unpack --image "$TESTDIR/copy:c" "$TESTDIR/cb"
	[[ "$(cat "$TESTDIR/cb/rootfs/extra")" == layer ]]
	run skopeo copy "oci:$layout:out" "docker-archive:$TESTDIR/d.tar:lade/test:1"
	[[ "$status" -eq 0 ]] || fail "skopeo copy docker-archive: $output"
	tar -tf "$TESTDIR/d.tar" | grep -q manifest.json
}

@test "zstd layers round-trip through lade" {
	requires zstd
	layout="$TESTDIR/img"
	new_image "$layout" t
	mkdir -p "$TESTDIR/src" && echo z >"$TESTDIR/src/z"
	lade_ok insert --image "$layout:t" --compress zstd "$TESTDIR/src" /zdir
	lade_ok unpack --image "$layout:t" "$TESTDIR/b"
	echo y >"$TESTDIR/b/rootfs/zdir/y"
	lade_ok repack --image "$layout:t" "$TESTDIR/b"
	# auto follows the last compressed layer: zstd.
	[[ "$(jq -r '.layers | map(.mediaType) | unique | .[]' \
		"$layout/blobs/sha256/$(jq -r '.manifests[-1].digest' "$layout/index.json" | cut -d: -f2)")" == application/vnd.oci.image.layer.v1.tar+zstd ]]
	lade_ok unpack --image "$layout:t" "$TESTDIR/b2"
	[[ "$(cat "$TESTDIR/b2/rootfs/zdir/z")" == z && "$(cat "$TESTDIR/b2/rootfs/zdir/y")" == y ]]
	if command -v skopeo >/dev/null; then
		run skopeo copy "oci:$layout:t" "oci:$TESTDIR/zcopy:t"
		[[ "$status" -eq 0 ]] || fail "skopeo copy of zstd image: $output"
		image-verify "$TESTDIR/zcopy"
	fi
}
