#!/usr/bin/env bats
# lade repack --image PATH[:TAG] [--mask-path P]... [--no-mask-volumes]
#             [--refresh-bundle] [--compress C] [history flags] BUNDLE

load helpers

# blob LAYOUT DIGEST: path of a blob.
blob() { echo "$1/blobs/sha256/${2#sha256:}"; }

# manifest_of LAYOUT TAG: path of the manifest blob TAG points at.
manifest_of() {
	blob "$1" "$(jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$1/index.json")"
}

# config_of LAYOUT TAG: path of TAG's config blob.
config_of() { blob "$1" "$(jq -r .config.digest "$(manifest_of "$1" "$2")")"; }

# last_layer_names LAYOUT TAG: entry names of TAG's last layer, sorted.
last_layer_names() {
	local m d mt
	m="$(manifest_of "$1" "$2")"
	d="$(jq -r '.layers[-1].digest' "$m")"
	mt="$(jq -r '.layers[-1].mediaType' "$m")"
	case "$mt" in
	*+zstd) zstd -dc <"$(blob "$1" "$d")" | tar -t ;;
	*+gzip) tar -tzf "$(blob "$1" "$d")" ;;
	*) tar -tf "$(blob "$1" "$d")" ;;
	esac | sort
}

# base_image LAYOUT: tag "t" with /opt/d holding f, hardlink h, symlink l.
base_image() {
	mkdir -p "$TESTDIR/src/d"
	echo hello >"$TESTDIR/src/d/f"
	ln "$TESTDIR/src/d/f" "$TESTDIR/src/d/h"
	ln -s f "$TESTDIR/src/d/l"
	# Old times, so that any change in the bundle moves the whole-second mtime.
	touch -h -d @1000000000 "$TESTDIR/src/d/l" "$TESTDIR/src/d/f" "$TESTDIR/src/d"
	new_image "$1" t
	"$LADE" insert --image "$1:t" "$TESTDIR/src/d" /opt/d
}

@test "lade repack turns rootfs changes into a layer" {
	layout="$TESTDIR/img"
	base_image "$layout"
	"$LADE" config --image "$layout:t" --config.volume /data --author someone
	lade_ok unpack --image "$layout:t" "$TESTDIR/b"
	echo new >"$TESTDIR/b/rootfs/newfile"
	rm "$TESTDIR/b/rootfs/opt/d/h"
	mkdir -p "$TESTDIR/b/rootfs/data" && echo x >"$TESTDIR/b/rootfs/data/x"
	created="$(jq -r .created "$(config_of "$layout" t)")"
	lade_ok repack --image "$layout:out" "$TESTDIR/b"
	[[ -z "$output" ]]
	image-verify "$layout"
	run -0 last_layer_names "$layout" out
	[[ "$output" == "$(printf '%s\n' . newfile opt/d/ opt/d/.wh.h opt/d/f | sort)" ]] || fail "entries: $output"
	cfg="$(config_of "$layout" out)"
	run -0 jq -r '.history[-1] | [.created_by, .author, (.empty_layer // false)] | @tsv' "$cfg"
	[[ "$output" == $'umoci repack\tsomeone\tfalse' ]]
	[[ "$(jq -r .created "$cfg")" == "$created" ]]
	[[ "$(jq '.rootfs.diff_ids | length' "$cfg")" == 2 ]]
	# The source tag is untouched.
	[[ "$(jq '.layers | length' "$(manifest_of "$layout" t)")" == 1 ]]
}

@test "lade repack without changes adds only a history entry" {
	layout="$TESTDIR/img"
	base_image "$layout"
	lade_ok unpack --image "$layout:t" "$TESTDIR/b"
	lade_ok repack --image "$layout:t" --history.comment "nothing" "$TESTDIR/b"
	image-verify "$layout"
	[[ "$(jq '.layers | length' "$(manifest_of "$layout" t)")" == 1 ]]
	run -0 jq -r '.history[-1] | [.created_by, .comment, .empty_layer] | @tsv' "$(config_of "$layout" t)"
	[[ "$output" == $'umoci repack\tnothing\ttrue' ]]
	# The base is the bundle's image, not what TAG now points at.
	lade_ok repack --image "$layout:t" --no-history "$TESTDIR/b"
	[[ "$(jq '.history | length' "$(config_of "$layout" t)")" == 1 ]]
}

@test "lade repack --mask-path, volumes and --no-mask-volumes" {
	layout="$TESTDIR/img"
	base_image "$layout"
	"$LADE" config --image "$layout:t" --config.volume /data
	lade_ok unpack --image "$layout:t" "$TESTDIR/b"
	mkdir -p "$TESTDIR/b/rootfs/data" "$TESTDIR/b/rootfs/cache/sub"
	echo x >"$TESTDIR/b/rootfs/data/x"
	echo y >"$TESTDIR/b/rootfs/cache/sub/y"
	echo z >"$TESTDIR/b/rootfs/cachet"
	lade_ok repack --image "$layout:masked" --mask-path /cache "$TESTDIR/b"
	run -0 last_layer_names "$layout" masked
	[[ "$output" == "$(printf '%s\n' . cachet)" ]] || fail "entries: $output"
	lade_ok repack --image "$layout:all" --mask-path cache/ --no-mask-volumes "$TESTDIR/b"
	run -0 last_layer_names "$layout" all
	[[ "$output" == "$(printf '%s\n' . cachet data/ data/x)" ]] || fail "entries: $output"
}

@test "lade repack --refresh-bundle makes the next repack a child layer" {
	layout="$TESTDIR/img"
	base_image "$layout"
	lade_ok unpack --image "$layout:t" "$TESTDIR/b"
	old_mtree="$(ls "$TESTDIR/b"/*.mtree)"
	echo 1 >"$TESTDIR/b/rootfs/one"
	lade_ok repack --image "$layout:t" --refresh-bundle "$TESTDIR/b"
	[[ ! -e "$old_mtree" ]]
	new_digest="$(jq -r '.layers | length' "$(manifest_of "$layout" t)")"
	[[ "$new_digest" == 2 ]]
	mdigest="$(jq -r '.from_descriptor_path.descriptor_walk[-1].digest' "$TESTDIR/b/umoci.json")"
	[[ "$mdigest" == "$(jq -r '.manifests[-1].digest' "$layout/index.json")" ]]
	[[ -e "$TESTDIR/b/sha256_${mdigest#sha256:}.mtree" ]]
	echo 2 >"$TESTDIR/b/rootfs/two"
	lade_ok repack --image "$layout:t" "$TESTDIR/b"
	run -0 last_layer_names "$layout" t
	[[ "$output" == "$(printf '%s\n' . two)" || "$output" == two ]] || fail "entries: $output"
	image-verify "$layout"
}

@test "lade repack --compress" {
	requires zstd
	layout="$TESTDIR/img"
	base_image "$layout"
	lade_ok unpack --image "$layout:t" "$TESTDIR/b"
	echo 1 >"$TESTDIR/b/rootfs/one"
	lade_ok repack --image "$layout:z" --compress zstd "$TESTDIR/b"
	[[ "$(jq -r '.layers[-1].mediaType' "$(manifest_of "$layout" z)")" == application/vnd.oci.image.layer.v1.tar+zstd ]]
	lade_ok repack --image "$layout:n" --compress none "$TESTDIR/b"
	[[ "$(jq -r '.layers[-1].mediaType' "$(manifest_of "$layout" n)")" == application/vnd.oci.image.layer.v1.tar ]]
	lade_ok repack --image "$layout:a" "$TESTDIR/b"
	[[ "$(jq -r '.layers[-1].mediaType' "$(manifest_of "$layout" a)")" == application/vnd.oci.image.layer.v1.tar+gzip ]]
	run -0 last_layer_names "$layout" z
	[[ "$output" == "$(printf '%s\n' . one)" ]]
	lade_fail repack --image "$layout:x" --compress bzip2 "$TESTDIR/b"
	lade_ok repack --image "$layout:l" --compress zstd --compress-level 19 "$TESTDIR/b"
	run -0 last_layer_names "$layout" l
	[[ "$output" == "$(printf '%s\n' . one)" ]]
	lade_fail repack --image "$layout:x" --compress zstd --compress-level 23 "$TESTDIR/b"
	[[ "$output" == *"zstd level 23 out of range 1-22"* ]] || fail "$output"
	run -0 "$LADE" ls --layout "$layout"
	[[ "$output" == "$(printf "%s\n" t z n a l)" ]] || fail "tags: $output"
	image-verify "$layout"
}

@test "lade repack errors" {
	layout="$TESTDIR/img"
	base_image "$layout"
	lade_ok unpack --image "$layout:t" "$TESTDIR/b"
	lade_fail repack --image "$layout:t"
	lade_fail repack --image "$layout:t" "$TESTDIR/b" extra
	lade_fail repack "$TESTDIR/b"
	lade_fail repack --image "$layout:t" "$TESTDIR/nonexistent"
	lade_fail repack --image "$layout:t" --no-history --history.comment x "$TESTDIR/b"
	touch "$TESTDIR/b/rootfs/.wh.evil"
	lade_fail repack --image "$layout:t" "$TESTDIR/b"
	[[ "$output" == *".wh."* ]]
	rm "$TESTDIR/b/rootfs/.wh.evil"
	jq '.umoci_version = "3"' "$TESTDIR/b/umoci.json" >"$TESTDIR/m" && mv "$TESTDIR/m" "$TESTDIR/b/umoci.json"
	lade_fail repack --image "$layout:t" "$TESTDIR/b"
	image-verify "$layout"
}
