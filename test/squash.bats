#!/usr/bin/env bats
# lade squash --image PATH[:TAG] [--tag NEW] [--platform P] [--rootless] [--compress C] [history flags]

load helpers

setup_file() {
	build_mkimage
}

# map_flags: --rootless when not running as root.
map_flags() {
	[[ "$(id -u)" -eq 0 ]] || echo --rootless
}

# squash_image NAME: the "small" test image (whiteouts, an opaque directory,
# hardlinks, symlinks, setuid, owners) plus a layer giving home/, opt/ and
# usr/ (which it only creates implicitly) entries, so that every directory
# has a recorded time. Tagged NAME:latest; prints the layout path.
squash_image() {
	local layout="$TESTDIR/$1" src="$TESTDIR/dirs-$1"
	"$MKIMAGE" small "$layout:latest" >&2
	mkdir -p "$src/home" "$src/opt" "$src/usr"
	chmod 755 "$src" "$src"/*
	touch -d @1704067200 "$src" "$src"/*
	"$LADE" insert $(map_flags) --history.created 2024-01-01T00:00:00Z --image "$layout:latest" "$src" / >&2
	echo "$layout"
}

# blob LAYOUT DIGEST: the path of a blob.
blob() {
	echo "$1/blobs/sha256/${2#sha256:}"
}

# manifest_of LAYOUT TAG: the path of the manifest blob TAG points at.
manifest_of() {
	blob "$1" "$(jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$1/index.json")"
}

# config_of LAYOUT TAG: the path of TAG's config blob.
config_of() {
	blob "$1" "$(jq -r .config.digest "$(manifest_of "$1" "$2")")"
}

@test "lade squash keeps the unpacked tree" {
	# Directories no layer lists get this time (far ahead, so squash clamps
	# nothing) instead of the time of each unpack and of the squash.
	export SOURCE_DATE_EPOCH=4000000000
	image="$(squash_image img)"
	[[ "$(jq '.layers | length' "$(manifest_of "$image" latest)")" == 4 ]]
	lade_ok unpack $(map_flags) --image "$image:latest" "$TESTDIR/orig"

	lade_ok squash $(map_flags) --tag flat --history.created 2025-01-02T03:04:05Z --image "$image:latest"
	[[ -z "$output" ]]
	[[ "$(tags "$image")" == "latest flat" ]]
	manifest="$(manifest_of "$image" flat)"
	[[ "$(jq '.layers | length' "$manifest")" == 1 ]]
	# auto: the most recent compressed layer of small is gzip.
	[[ "$(jq -r '.layers[0].mediaType' "$manifest")" == application/vnd.oci.image.layer.v1.tar+gzip ]]

	# The config is unchanged except rootfs and history.
	orig="$(config_of "$image" latest)" new="$(config_of "$image" flat)"
	diff <(jq -S 'del(.rootfs, .history)' "$orig") <(jq -S 'del(.rootfs, .history)' "$new")
	run -0 jq -c '.rootfs.diff_ids | length' "$new"
	[[ "$output" == 1 ]]
	run -0 jq -c '[.history[] | {created, created_by, empty_layer}]' "$new"
	[[ "$output" == '[{"created":"2025-01-02T03:04:05Z","created_by":"lade squash","empty_layer":null}]' ]]
	# The diff_id is the digest of the uncompressed layer.
	layer="$(blob "$image" "$(jq -r '.layers[0].digest' "$manifest")")"
	[[ "sha256:$(gzip -dc "$layer" | sha256sum | cut -d' ' -f1)" == "$(jq -r '.rootfs.diff_ids[0]' "$new")" ]]
	run -0 sh -c "gzip -dc '$layer' | tar -t"
	[[ "$output" != *".wh."* ]]

	# Unpacking the squashed image gives the same tree, by mtree.
	lade_ok unpack $(map_flags) --image "$image:flat" "$TESTDIR/flat"
	lade_ok raw mtree-validate -f "$TESTDIR/orig"/sha256_*.mtree -p "$TESTDIR/flat/rootfs"
	[[ -z "$output" ]]
	# ... which the check notices when it is not.
	echo changed >"$TESTDIR/flat/rootfs/etc/hostname"
	run "$LADE" raw mtree-validate -f "$TESTDIR/orig"/sha256_*.mtree -p "$TESTDIR/flat/rootfs"
	[[ "$output" == *"etc/hostname"* ]]
	image-verify "$image"
	lade_ok validate --layout "$image"
}

@test "lade squash overwrites the tag, --compress, --no-history" {
	image="$(squash_image img)"
	before="$(manifest_of "$image" latest)"
	lade_ok squash $(map_flags) --compress zstd --no-history --image "$image"
	[[ "$(tags "$image")" == "latest" ]]
	manifest="$(manifest_of "$image" latest)"
	[[ "$manifest" != "$before" ]]
	[[ "$(jq -r '[.layers[].mediaType] | join(" ")' "$manifest")" == application/vnd.oci.image.layer.v1.tar+zstd ]]
	[[ "$(jq 'has("history")' "$(config_of "$image" latest)")" == false ]]
	# Squashing a one-layer image again keeps its tree.
	lade_ok squash $(map_flags) --compress none --tag again --image "$image"
	[[ "$(jq -r '.layers[0].mediaType' "$(manifest_of "$image" again)")" == application/vnd.oci.image.layer.v1.tar ]]
	lade_ok export $(map_flags) --image "$image:latest" "$TESTDIR/a.tar"
	lade_ok export $(map_flags) --image "$image:again" "$TESTDIR/b.tar"
	cmp "$TESTDIR/a.tar" "$TESTDIR/b.tar"
}

@test "lade squash is reproducible" {
	image="$(squash_image img)"
	export SOURCE_DATE_EPOCH=1800000000
	lade_ok squash $(map_flags) --tag a --image "$image"
	sleep 1
	lade_ok squash $(map_flags) --tag b --image "$image"
	[[ "$(manifest_of "$image" a)" == "$(manifest_of "$image" b)" ]]
	[[ "$(jq -r '.history[0].created' "$(config_of "$image" a)")" == 2027-01-15T08:00:00Z ]]
}

@test "lade squash leaves no temporary tree" {
	image="$(squash_image img)"
	TMPDIR="$TESTDIR/tmp" && mkdir "$TMPDIR" && export TMPDIR
	lade_ok squash $(map_flags) --tag ok --image "$image"
	[[ -z "$(ls -A "$TMPDIR")" ]]
	# A broken layer: the squash fails, the tag stays, nothing is left.
	manifest="$(manifest_of "$image" latest)"
	layer="$(blob "$image" "$(jq -r '.layers[1].digest' "$manifest")")"
	chmod u+w "$layer"
	printf 'garbage' >"$layer"
	lade_fail squash $(map_flags) --image "$image"
	[[ "$(manifest_of "$image" latest)" == "$manifest" ]]
	[[ -z "$(ls -A "$TMPDIR")" ]]
}

@test "lade squash [invalid arguments]" {
	image="$(squash_image img)"
	before="$(cat "$image/index.json")"
	lade_fail squash
	[[ "$output" == *"missing mandatory argument: --image"* ]]
	lade_fail squash --image "$image" extra
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail squash --image "$image" extra --tag x
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail squash --image "$image:nosuchtag"
	[[ "$output" == *"nosuchtag"* ]]
	lade_fail squash --tag 'bad tag' --image "$image"
	[[ "$output" == *"invalid --tag"* ]]
	lade_fail squash --compress bzip2 --image "$image"
	[[ "$output" == *"--compress"* ]]
	lade_fail squash --no-history --history.comment x --image "$image"
	[[ "$output" == *"mutually exclusive"* ]]
	lade_fail squash --history.created yesterday --image "$image"
	[[ "$output" == *"--history.created"* ]]
	lade_fail squash --gid-map 0:1:0 --image "$image"
	[[ "$output" == *"--gid-map"* ]]
	lade_fail squash --image "$TESTDIR/nolayout"
	[[ "$output" == *"open CAS"* ]]
	SOURCE_DATE_EPOCH=soon lade_fail squash --image "$image"
	[[ "$output" == *"SOURCE_DATE_EPOCH"* ]]
	[[ "$(cat "$image/index.json")" == "$before" ]]
}

@test "lade squash --help" {
	lade_ok squash --help
	[[ "$output" == *"DESCRIPTION:"* && "$output" == *"lade squash"* && "$output" == *"--no-history"* ]]
}
