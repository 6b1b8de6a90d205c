#!/usr/bin/env bats
# Image archives: every reading command takes --image ARCHIVE.tar[:TAG] (or
# --layout ARCHIVE.tar) for an OCI layout stored in a tar file (skopeo
# oci-archive:, podman save --format oci-archive, docker save); writing
# commands edit an OCI archive in place (atomically: a new tar renamed over
# it) and refuse a legacy docker-archive with one line, leaving it
# byte-identical.

load helpers

setup_file() {
	build_mkimage
}

# map_flags: --rootless when not running as root.
map_flags() {
	[[ "$(id -u)" -eq 0 ]] || echo --rootless
}

# archive_of LAYOUT TAG ARCHIVE: copy LAYOUT:TAG to the oci-archive ARCHIVE
# with skopeo (offline: oci: to oci-archive:).
archive_of() {
	skopeo copy -q "oci:$1:$2" "oci-archive:$3:$2" >&2
}

# small_archive NAME: the "small" test image as $TESTDIR/NAME (a layout,
# tag latest), $TESTDIR/NAME.tar (skopeo's oci-archive of it: skopeo
# re-serialises the manifest, so its digest differs from the layout's) and
# $TESTDIR/NAME-x (the archive extracted: the same blobs as the archive).
# Prints the layout.
small_archive() {
	local layout
	layout="$(small_image "$1")"
	archive_of "$layout" latest "$layout.tar"
	mkdir "$layout-x"
	tar -C "$layout-x" -xf "$layout.tar"
	echo "$layout"
}

# Directories no layer has an entry for get this time instead of the time of
# each unpack, so that two unpacks of one image compare equal.
FILE_SOURCE_DATE_EPOCH=1700000000

# same_bundle A B: the two bundles have identical rootfs trees, mtree
# manifests (but for the header comments, which record the bundle path and
# the time), config.json and umoci.json (which records the manifest, not the
# layout path).
same_bundle() {
	diff -r --no-dereference "$1/rootfs" "$2/rootfs" || fail "rootfs differ"
	for f in config.json umoci.json; do
		cmp "$1/$f" "$2/$f" || fail "$f differs"
	done
	# The mtree manifest is named after the manifest digest.
	[[ "$(cd "$1" && ls sha256_*.mtree)" == "$(cd "$2" && ls sha256_*.mtree)" ]] || fail "mtree names differ"
	diff <(grep -v "^#" "$1"/sha256_*.mtree) <(grep -v "^#" "$2"/sha256_*.mtree) || fail "mtree manifests differ"
}

@test "lade ls, stat and validate read an archive like its layout" {
	requires skopeo
	layout="$(small_archive img)"
	lade_ok ls --layout "$layout"
	want="$output"
	lade_ok ls --layout "$layout.tar"
	[[ "$output" == "$want" && "$output" == latest ]]

	for fmt in "" --json; do
		lade_ok stat $fmt --image "$layout-x:latest"
		want="$output"
		lade_ok stat $fmt --image "$layout.tar:latest"
		[[ "$output" == "$want" ]] || fail "stat $fmt differs"
	done
	# No :TAG means latest, as for a directory.
	lade_ok stat --json --image "$layout.tar"
	[[ "$output" == "$want" ]]

	lade_ok validate --layout "$layout.tar"
	lade_ok validate --image "$layout.tar:latest"
	lade_fail stat --image "$layout.tar:missing"
}

@test "lade unpack, raw unpack, raw runtime-config and export from an archive" {
	requires skopeo
	layout="$(small_archive img)"
	lade_ok unpack $(map_flags) --image "$layout-x:latest" "$TESTDIR/from-dir"
	lade_ok unpack $(map_flags) --image "$layout.tar:latest" "$TESTDIR/from-tar"
	same_bundle "$TESTDIR/from-dir" "$TESTDIR/from-tar"
	# Against the layout skopeo copied from: same tree and runtime config.
	lade_ok unpack $(map_flags) --image "$layout:latest" "$TESTDIR/from-source"
	diff -r --no-dereference "$TESTDIR/from-source/rootfs" "$TESTDIR/from-tar/rootfs"
	cmp "$TESTDIR/from-source/config.json" "$TESTDIR/from-tar/config.json"

	lade_ok raw unpack $(map_flags) --image "$layout.tar:latest" "$TESTDIR/rootfs"
	diff -r --no-dereference "$TESTDIR/rootfs" "$TESTDIR/from-dir/rootfs"

	lade_ok raw runtime-config --image "$layout.tar:latest" "$TESTDIR/config.json"
	lade_ok raw runtime-config --image "$layout-x:latest" "$TESTDIR/config-dir.json"
	cmp "$TESTDIR/config.json" "$TESTDIR/config-dir.json"

	export SOURCE_DATE_EPOCH=1800000000
	lade_ok export $(map_flags) --image "$layout-x:latest" "$TESTDIR/dir.tar"
	lade_ok export $(map_flags) --image "$layout.tar:latest" "$TESTDIR/tar.tar"
	cmp "$TESTDIR/dir.tar" "$TESTDIR/tar.tar"
}

# multi_archive NAME: a layout with tags amd64 and arm64 (one image each,
# /arch holding the architecture) and "multi", an index of both; archived
# with GNU tar (members named ./...) as $TESTDIR/NAME.tar. Prints the layout.
multi_archive() {
	local layout arch
	layout="$(new_layout "$1")"
	for arch in amd64 arm64; do
		"$LADE" new --image "$layout:$arch"
		"$LADE" config --image "$layout:$arch" --platform.os linux --platform.arch "$arch" --no-history
		echo "$arch" >"$TESTDIR/arch-$arch"
		"$LADE" insert $(map_flags) --image "$layout:$arch" "$TESTDIR/arch-$arch" /arch
	done
	"$LADE" index create --image "$layout:multi" amd64 arm64
	tar -C "$layout" -cf "$layout.tar" .
	echo "$layout"
}

@test "lade reads a multi-image archive by tag and --platform" {
	layout="$(multi_archive multi)"
	lade_ok ls --layout "$layout.tar"
	[[ "$(paste -sd' ' <<<"$output")" == "amd64 arm64 multi" ]]
	lade_ok index ls --image "$layout.tar:multi"
	want="$output"
	lade_ok index ls --image "$layout:multi"
	[[ "$output" == "$want" ]]

	lade_fail unpack $(map_flags) --image "$layout.tar:multi" "$TESTDIR/b"
	for arch in amd64 arm64; do
		lade_ok raw unpack $(map_flags) --platform "linux/$arch" --image "$layout.tar:multi" "$TESTDIR/p-$arch"
		[[ "$(cat "$TESTDIR/p-$arch/arch")" == "$arch" ]]
		lade_ok raw unpack $(map_flags) --image "$layout.tar:$arch" "$TESTDIR/t-$arch"
		[[ "$(cat "$TESTDIR/t-$arch/arch")" == "$arch" ]]
	done
	lade_ok stat --platform linux/arm64 --json --image "$layout.tar:multi"
	want="$output"
	lade_ok stat --platform linux/arm64 --json --image "$layout:multi"
	[[ "$output" == "$want" ]]
	lade_ok validate --layout "$layout.tar"
}

# archive_ok ARCHIVE: lade validates ARCHIVE, tar lists no member twice and
# skopeo reads every tag of it.
archive_ok() {
	local tag
	lade_ok validate --layout "$1"
	[[ -z "$(tar -tf "$1" | sed 's|^\./||' | sort | uniq -d)" ]] || fail "duplicate members in $1"
	for tag in $("$LADE" ls --layout "$1"); do
		skopeo inspect --raw "oci-archive:$1:$tag" >/dev/null || fail "skopeo cannot read $1:$tag"
	done
}

# no_temps ARCHIVE: no lade temporary file is left next to ARCHIVE.
no_temps() {
	local left
	left="$(find "$(dirname "$1")" -maxdepth 1 -name '.lade-tmp-*')"
	[[ -z "$left" ]] || fail "temporary files left: $left"
}

@test "writing commands edit an OCI archive in place" {
	requires skopeo
	layout="$(multi_archive multi)"
	archive="$layout.tar"
	"$LADE" unpack $(map_flags) --image "$archive:amd64" "$TESTDIR/bundle"
	echo new >"$TESTDIR/bundle/rootfs/new"
	echo hi >"$TESTDIR/hi"
	tar -C "$TESTDIR" -cf "$TESTDIR/layer.tar" hi

	lade_ok tag --image "$archive:amd64" copy
	lade_ok rm --image "$archive:copy"
	lade_ok config --config.user 1000 --config.cmd /bin/sh --image "$archive:amd64" --tag configured
	lade_ok repack --image "$archive:repacked" "$TESTDIR/bundle"
	lade_ok insert $(map_flags) --image "$archive:amd64" --tag inserted "$TESTDIR/hi" /hi
	lade_ok raw add-layer --image "$archive:amd64" --tag added "$TESTDIR/layer.tar"
	lade_ok squash $(map_flags) --image "$archive:inserted" --tag squashed
	lade_ok new --image "$archive:fresh"
	lade_ok index create --image "$archive:other" amd64 arm64
	lade_ok index remove --platform linux/arm64 --image "$archive:other"
	lade_ok index add --image "$archive:other" arm64
	lade_ok ls --layout "$archive"
	[[ "$(sort <<<"$output" | paste -sd' ')" == "added amd64 arm64 configured fresh inserted multi other repacked squashed" ]] ||
		fail "tags: $output"
	archive_ok "$archive"
	no_temps "$archive"

	lade_ok stat --json --image "$archive:configured"
	[[ "$(jq -r '.config.blob.config.User' <<<"$output")" == 1000 ]]
	for tag in repacked inserted added squashed; do
		lade_ok raw unpack $(map_flags) --image "$archive:$tag" "$TESTDIR/r-$tag"
	done
	[[ "$(cat "$TESTDIR/r-repacked/new")" == new ]]
	[[ "$(cat "$TESTDIR/r-inserted/hi")" == hi && "$(cat "$TESTDIR/r-squashed/hi")" == hi ]]
	[[ "$(cat "$TESTDIR/r-added/hi")" == hi && "$(cat "$TESTDIR/r-added/arch")" == amd64 ]]
	lade_ok index ls --image "$archive:other"
	[[ "${#lines[@]}" -eq 2 ]]

	# skopeo copies the result to a directory layout, which lade reads alike.
	skopeo copy -q "oci-archive:$archive:inserted" "oci:$TESTDIR/copy:inserted"
	lade_ok raw unpack $(map_flags) --image "$TESTDIR/copy:inserted" "$TESTDIR/r-copy"
	diff -r --no-dereference "$TESTDIR/r-copy" "$TESTDIR/r-inserted"

	# gc drops the blobs no tag reaches any more.
	lade_ok rm --image "$archive:squashed"
	before="$(tar -tf "$archive" | wc -l)"
	lade_ok gc --layout "$archive"
	[[ "$(tar -tf "$archive" | wc -l)" -lt "$before" ]]
	archive_ok "$archive"
	lade_ok gc --layout "$archive"
	no_temps "$archive"
}

@test "a command that changes nothing leaves the archive file untouched" {
	requires skopeo
	layout="$(small_archive img)"
	archive="$layout.tar"
	lade_ok tag --image "$archive:latest" v2
	inode="$(stat -c %i "$archive")"
	sum="$(sha256sum <"$archive")"
	lade_ok tag --image "$archive:latest" v2
	lade_ok gc --layout "$archive"
	lade_ok stat --image "$archive:latest"
	[[ "$(stat -c %i "$archive")" == "$inode" && "$(sha256sum <"$archive")" == "$sum" ]]
	# A change replaces the file (a new inode), keeping its mode.
	chmod 640 "$archive"
	lade_ok tag --image "$archive:latest" v3
	[[ "$(stat -c %i "$archive")" != "$inode" && "$(stat -c %a "$archive")" == 640 ]]
	# Through a symbolic link: the target is rewritten, the link stays.
	ln -s "$archive" "$TESTDIR/link.tar"
	lade_ok tag --image "$TESTDIR/link.tar:latest" v4
	[[ -L "$TESTDIR/link.tar" ]]
	lade_ok ls --layout "$archive"
	[[ "$(paste -sd' ' <<<"$output")" == "latest v2 v3 v4" ]]
}

@test "lade insert killed at random moments leaves the old or the new archive" {
	requires skopeo
	layout="$(small_archive img)"
	archive="$layout.tar"
	head -c 20000000 /dev/urandom >"$TESTDIR/big"
	old="$(sha256sum <"$archive")"
	changed=0
	for i in $(seq 1 12); do
		"$LADE" insert $(map_flags) --image "$archive:latest" --tag "t$i" "$TESTDIR/big" /big &
		pid=$!
		sleep "$(printf '0.%03d' $((RANDOM % 250)))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		lade_ok validate --layout "$archive"
		now="$(sha256sum <"$archive")"
		if [[ "$now" != "$old" ]]; then
			# The new archive: the tag is there and whole.
			lade_ok ls --layout "$archive"
			[[ "$output" == *"t$i"* ]] || fail "archive changed without tag t$i: $output"
			changed=$((changed + 1))
			old="$now"
		fi
	done
	echo "$changed of 12 inserts completed" >&2
	archive_ok "$archive"
	# Whatever the killed runs left, the next writing run removes.
	lade_ok tag --image "$archive:latest" final
	no_temps "$archive"
}

@test "lade refuses compressed and truncated archives with one line" {
	requires skopeo
	layout="$(small_archive img)"
	gzip -k "$layout.tar"
	lade_fail ls --layout "$layout.tar.gz"
	[[ "$output" == *"is gzip-compressed; decompress it first"* ]]
	lade_fail stat --image "$layout.tar.gz:latest"

	size="$(stat -c %s "$layout.tar")"
	for cut in 1500 $((size - 1024)) $((size / 2)); do
		head -c "$cut" "$layout.tar" >"$TESTDIR/cut.tar"
		lade_fail ls --layout "$TESTDIR/cut.tar"
		[[ "$output" == *"truncated"* || "$output" == *"missing oci-layout"* ]] ||
			fail "cut at $cut: $output"
	done

	echo "not an archive" >"$TESTDIR/text.tar"
	lade_fail ls --layout "$TESTDIR/text.tar"
	[[ "$output" == *"is not a tar archive"* ]]
}

@test "lade reads a docker save style archive" {
	# Docker 25+ writes an OCI layout plus its own manifest.json and
	# repositories, and legacy layer paths as symlinks into blobs/.
	layout="$(small_image img)"
	d="$(jq -r '.manifests[0].digest' "$layout/index.json")"
	config="$(jq -r '.config.digest' "$layout/blobs/sha256/${d#sha256:}")"
	layer="$(jq -r '.layers[0].digest' "$layout/blobs/sha256/${d#sha256:}")"
	jq -n --arg c "blobs/sha256/${config#sha256:}" --arg l "blobs/sha256/${layer#sha256:}" \
		'[{Config: $c, RepoTags: ["img:latest"], Layers: [$l]}]' >"$layout/manifest.json"
	echo '{"img":{"latest":"x"}}' >"$layout/repositories"
	mkdir "$layout/legacy"
	ln -s "../blobs/sha256/${layer#sha256:}" "$layout/legacy/layer.tar"
	tar -C "$layout" -cf "$TESTDIR/docker.tar" manifest.json repositories legacy blobs index.json oci-layout

	lade_ok stat --json --image "$TESTDIR/docker.tar:latest"
	want="$output"
	lade_ok stat --json --image "$layout:latest"
	[[ "$output" == "$want" ]]
	lade_ok unpack $(map_flags) --image "$layout:latest" "$TESTDIR/from-dir"
	lade_ok unpack $(map_flags) --image "$TESTDIR/docker.tar:latest" "$TESTDIR/from-tar"
	same_bundle "$TESTDIR/from-dir" "$TESTDIR/from-tar"
	lade_ok validate --layout "$TESTDIR/docker.tar"
}

@test "lade reads an archive through a symlink and leaves directories to the dir backend" {
	requires skopeo
	layout="$(small_archive img)"
	ln -s "$layout.tar" "$TESTDIR/link.tar"
	lade_ok ls --layout "$TESTDIR/link.tar"
	[[ "$output" == latest ]]
	# A missing path is still reported by the directory backend.
	lade_fail ls --layout "$TESTDIR/missing.tar"
	[[ "$output" == *"does not exist"* ]]
}

# resize_layer LAYOUT DELTA: add DELTA to the size the manifest of LAYOUT:latest
# gives its first layer, re-hashing the manifest and retargeting index.json.
resize_layer() {
	local layout="$1" m new size
	m="$(jq -r '.manifests[0].digest' "$layout/index.json")"
	jq -c --argjson d "$2" '.layers[0].size += $d' "$layout/blobs/sha256/${m#sha256:}" >"$TESTDIR/manifest.json"
	new="$(sha256sum <"$TESTDIR/manifest.json" | cut -d' ' -f1)"
	size="$(stat -c %s "$TESTDIR/manifest.json")"
	mv "$TESTDIR/manifest.json" "$layout/blobs/sha256/$new"
	jq -c --arg d "sha256:$new" --argjson s "$size" '.manifests[0].digest = $d | .manifests[0].size = $s' \
		"$layout/index.json" >"$TESTDIR/index.json"
	mv "$TESTDIR/index.json" "$layout/index.json"
}

@test "a layer whose descriptor size differs from its archive member fails unpack with one line" {
	for delta in 1 -1; do
		rm -rf "$TESTDIR/img"
		layout="$(small_image img)"
		resize_layer "$layout" "$delta"
		tar -C "$layout" -cf "$TESTDIR/bad.tar" .
		lade_fail unpack $(map_flags) --image "$TESTDIR/bad.tar:latest" "$TESTDIR/bundle"
		[[ "$output" == *"verified reader size mismatch: descriptor says "*" bytes, blob has "* ]] || fail "delta $delta: $output"
		[[ ! -e "$TESTDIR/bundle" ]] || fail "delta $delta: unpack left the bundle behind"
		lade_fail raw unpack $(map_flags) --image "$TESTDIR/bad.tar:latest" "$TESTDIR/rootfs"
		lade_fail export $(map_flags) --image "$TESTDIR/bad.tar:latest" "$TESTDIR/out.tar"
	done
}

@test "an archive cut right after a member that ends with zeros is refused as truncated" {
	layout="$(small_image img)"
	# An uncompressed layer ends with zero blocks: so does this last member.
	head -c 8192 /dev/zero >"$layout/zeros.bin"
	tar -C "$layout" -b 1 -cf "$TESTDIR/full.tar" oci-layout index.json blobs zeros.bin
	lade_ok ls --layout "$TESTDIR/full.tar"
	size="$(stat -c %s "$TESTDIR/full.tar")"
	for cut in 1024 512; do
		head -c "$((size - cut))" "$TESTDIR/full.tar" >"$TESTDIR/cut.tar"
		lade_fail ls --layout "$TESTDIR/cut.tar"
		[[ "$output" == *"is truncated (no end-of-archive marker after member \"zeros.bin\")"* ]] || fail "cut $cut: $output"
	done
}

# docker_archive LAYOUT NAME:TAG ARCHIVE: copy LAYOUT:latest to the legacy
# docker-archive ARCHIVE with skopeo (offline; no oci-layout, a manifest.json
# naming <hex>.json and <hex>.tar members). skopeo writes the RepoTag in full
# form: "small:1" becomes "docker.io/library/small:1".
docker_archive() {
	skopeo copy -q "oci:$1:latest" "docker-archive:$3:$2" >&2
}

# same_rootfs A B: two bundles with the same rootfs tree and config.json
# (umoci.json and the mtree name record the manifest, which differs between
# an OCI layout and a legacy archive).
same_rootfs() {
	diff -r --no-dereference "$1/rootfs" "$2/rootfs" || fail "rootfs differ"
	cmp "$1/config.json" "$2/config.json" || fail "config.json differs"
}

@test "lade reads a legacy skopeo docker-archive like its OCI layout" {
	requires skopeo
	layout="$(small_image img)"
	docker_archive "$layout" small:1 "$TESTDIR/d.tar"
	tar -tf "$TESTDIR/d.tar" | grep -qx manifest.json
	! tar -tf "$TESTDIR/d.tar" | grep -qx oci-layout
	ref="$TESTDIR/d.tar:docker.io/library/small:1"

	lade_ok ls --layout "$TESTDIR/d.tar"
	[[ "$output" == docker.io/library/small:1 ]]
	lade_ok stat --json --image "$ref"
	[[ "$(jq -r .manifest.descriptor.mediaType <<<"$output")" == application/vnd.docker.distribution.manifest.v2+json ]]
	[[ "$(jq -r '.manifest.blob.layers[0].mediaType' <<<"$output")" == application/vnd.docker.image.rootfs.diff.tar ]]
	lade_ok stat --image "$ref"
	lade_ok validate --layout "$TESTDIR/d.tar"

	lade_ok unpack $(map_flags) --image "$layout:latest" "$TESTDIR/from-dir"
	lade_ok unpack $(map_flags) --image "$ref" "$TESTDIR/from-tar"
	same_rootfs "$TESTDIR/from-dir" "$TESTDIR/from-tar"
	lade_ok raw unpack $(map_flags) --image "$ref" "$TESTDIR/rootfs"
	diff -r --no-dereference "$TESTDIR/rootfs" "$TESTDIR/from-dir/rootfs"
	lade_ok raw runtime-config --image "$ref" "$TESTDIR/config.json"
	lade_ok raw runtime-config --image "$layout:latest" "$TESTDIR/config-dir.json"
	cmp "$TESTDIR/config.json" "$TESTDIR/config-dir.json"
	lade_ok export $(map_flags) --image "$layout:latest" "$TESTDIR/dir.tar"
	lade_ok export $(map_flags) --image "$ref" "$TESTDIR/tar.tar"
	cmp "$TESTDIR/dir.tar" "$TESTDIR/tar.tar"
	lade_ok diff "$layout" "$ref"
	[[ -z "$output" ]] || fail "diff of the same image: $output"

	# Tags are the RepoTags, as written: no "latest", no short-name alias.
	lade_fail stat --image "$TESTDIR/d.tar"
	[[ "$output" == *"tag not found: latest"* ]]
	lade_fail stat --image "$TESTDIR/d.tar:small:1"
}

# docker_style ARCHIVE OUT: rewrite the skopeo docker-archive ARCHIVE the way
# docker save before 25 lays it out: each layer as <id>/layer.tar (a regular
# file) next to VERSION, RepoTags ["busybox:latest"], a repositories file;
# archived with GNU tar (directory members, names starting with ./).
docker_style() {
	local x="$TESTDIR/docker-x" n=0 l id layers=()
	mkdir "$x"
	tar -C "$x" -xf "$1"
	find "$x" -mindepth 1 -maxdepth 1 -type d -exec rm -r {} +
	for l in $(jq -r '.[0].Layers[]' "$x/manifest.json"); do
		id="$(printf 'v1 %d' "$n" | sha256sum | cut -d' ' -f1)"
		mkdir "$x/$id"
		mv "$x/$l" "$x/$id/layer.tar"
		echo 1.0 >"$x/$id/VERSION"
		layers+=("$id/layer.tar")
		n=$((n + 1))
	done
	jq -c '.[0].Layers = $ARGS.positional | .[0].RepoTags = ["busybox:latest"]' --args "${layers[@]}" \
		<"$x/manifest.json" >"$x/m" && mv "$x/m" "$x/manifest.json"
	echo "{\"busybox\":{\"latest\":\"$id\"}}" >"$x/repositories"
	tar -C "$x" -cf "$2" .
}

@test "lade reads a docker save (before 25) archive by its full RepoTag" {
	requires skopeo
	layout="$(small_image img)"
	docker_archive "$layout" small:1 "$TESTDIR/d.tar"
	docker_style "$TESTDIR/d.tar" "$TESTDIR/docker.tar"
	tar -tf "$TESTDIR/docker.tar" | grep -q '^\./[0-9a-f]*/layer\.tar$'

	lade_ok ls --layout "$TESTDIR/docker.tar"
	[[ "$output" == busybox:latest ]]
	lade_ok stat --json --image "$TESTDIR/docker.tar:busybox:latest"
	want="$(jq -c 'del(.manifest.descriptor.annotations)' <<<"$output")"
	# The same blobs as skopeo's archive: the same synthesized manifest.
	lade_ok stat --json --image "$TESTDIR/d.tar:docker.io/library/small:1"
	[[ "$(jq -c 'del(.manifest.descriptor.annotations)' <<<"$output")" == "$want" ]] ||
		fail "stat differs from skopeo's archive"
	lade_ok unpack $(map_flags) --image "$layout:latest" "$TESTDIR/from-dir"
	lade_ok unpack $(map_flags) --image "$TESTDIR/docker.tar:busybox:latest" "$TESTDIR/from-tar"
	same_rootfs "$TESTDIR/from-dir" "$TESTDIR/from-tar"
	# One image tagged busybox:latest: "latest" alone is not an alias of it.
	lade_fail stat --image "$TESTDIR/docker.tar:latest"
	[[ "$output" == *"tag not found: latest"* ]]
}

# multi_docker_archive: $TESTDIR/multi.tar, a legacy archive of two images
# merged from two skopeo docker-archives (jq on manifest.json, tar): small:1
# (the small image) and other:1 (the small image plus /added, so all but
# one layer are shared), and other:1 again untagged. Prints the layout of
# other:1.
multi_docker_archive() {
	local small other x="$TESTDIR/multi-x"
	small="$(small_image img)"
	other="$TESTDIR/other"
	cp -r "$small" "$other"
	echo added >"$TESTDIR/added"
	"$LADE" insert $(map_flags) --image "$other:latest" "$TESTDIR/added" /added >&2
	docker_archive "$small" small:1 "$TESTDIR/a.tar"
	docker_archive "$other" other:1 "$TESTDIR/b.tar"
	mkdir -p "$x/a" "$x/b" "$x/m"
	tar -C "$x/a" -xf "$TESTDIR/a.tar"
	tar -C "$x/b" -xf "$TESTDIR/b.tar"
	cp "$x"/a/*.tar "$x"/a/[0-9a-f]*.json "$x/m/"
	cp -f "$x"/b/*.tar "$x"/b/[0-9a-f]*.json "$x/m/"
	jq -s -c '.[0] + .[1] + [.[1][0] | .RepoTags = null]' "$x/a/manifest.json" "$x/b/manifest.json" >"$x/m/manifest.json"
	tar -C "$x/m" -cf "$TESTDIR/multi.tar" .
	echo "$other"
}

@test "lade reads a multi-image legacy archive with shared layers" {
	requires skopeo
	other="$(multi_docker_archive)"
	config="$(tar -xOf "$TESTDIR/b.tar" manifest.json | jq -r '.[0].Config')"
	untagged="${config%.json}"
	lade_ok ls --layout "$TESTDIR/multi.tar"
	# In manifest.json order; an untagged image is named after its config.
	[[ "$(paste -sd' ' <<<"$output")" == "docker.io/library/small:1 docker.io/library/other:1 $untagged" ]] ||
		fail "tags: $output"
	# The shared layers are served once.
	[[ "$(tar -tf "$TESTDIR/multi.tar" | grep -c '\.tar$')" -eq 4 ]]

	m="$TESTDIR/multi.tar"
	lade_ok raw unpack $(map_flags) --image "$m:docker.io/library/other:1" "$TESTDIR/other-rootfs"
	[[ "$(cat "$TESTDIR/other-rootfs/added")" == added ]]
	lade_ok raw unpack $(map_flags) --image "$other:latest" "$TESTDIR/other-dir"
	diff -r --no-dereference "$TESTDIR/other-rootfs" "$TESTDIR/other-dir"
	lade_ok raw unpack $(map_flags) --image "$m:docker.io/library/small:1" "$TESTDIR/small-rootfs"
	[[ ! -e "$TESTDIR/small-rootfs/added" ]]
	lade_ok stat --json --image "$m:$untagged"
	want="$output"
	lade_ok stat --json --image "$m:docker.io/library/other:1"
	[[ "$(jq -r .manifest.descriptor.digest <<<"$output")" == "$(jq -r .manifest.descriptor.digest <<<"$want")" ]]

	lade_ok diff "$m:docker.io/library/small:1" "$m:docker.io/library/other:1"
	[[ "$output" == *"/added"* ]] || fail "diff: $output"
	lade_ok validate --layout "$m"
}

@test "writing commands refuse a legacy archive with one line and leave it unchanged" {
	requires skopeo
	multi_docker_archive >/dev/null
	archive="$TESTDIR/multi.tar"
	ref="$archive:docker.io/library/small:1"
	before="$(sha256sum <"$archive")"
	"$LADE" unpack $(map_flags) --image "$ref" "$TESTDIR/bundle"
	echo new >"$TESTDIR/bundle/rootfs/new"

	refused=(
		"tag --image $ref copy"
		"rm --image $ref"
		"config --config.user 1000 --image $ref"
		"repack --image $ref $TESTDIR/bundle"
		"insert $(map_flags) --image $ref $TESTDIR/added /hi"
		"gc --layout $archive"
		"new --image $archive:fresh"
	)
	for cmd in "${refused[@]}"; do
		# shellcheck disable=SC2086 # split the command line on purpose
		lade_fail $cmd
		[[ "$output" == *"archive $archive is read-only; copy it to a directory layout first (e.g. skopeo copy docker-archive:$archive:NAME:TAG oci:DIR:TAG)"* ]] ||
			fail "lade $cmd: not the read-only error: $output"
		[[ "$(sha256sum <"$archive")" == "$before" ]] || fail "lade $cmd changed the archive"
	done
}

@test "lade refuses a broken legacy archive with one line" {
	requires skopeo
	layout="$(small_image img)"
	docker_archive "$layout" small:1 "$TESTDIR/d.tar"
	x="$TESTDIR/x"
	mkdir "$x"
	tar -C "$x" -xf "$TESTDIR/d.tar"
	cp "$x/manifest.json" "$TESTDIR/manifest.json"
	layer="$(jq -r '.[0].Layers[0]' "$TESTDIR/manifest.json")"

	broken() { # broken JQ-FILTER MESSAGE: manifest.json rewritten by JQ-FILTER is refused with MESSAGE
		jq -c "$1" "$TESTDIR/manifest.json" >"$x/manifest.json"
		tar -C "$x" -cf "$TESTDIR/bad.tar" .
		lade_fail ls --layout "$TESTDIR/bad.tar"
		[[ "$output" == *"$2"* ]] || fail "$1: $output"
	}
	broken '.[0].Layers[0] = "../x.tar"' 'contains ".."'
	broken '.[0].Layers[0] = "missing.tar"' 'member "missing.tar" is missing'
	broken 'del(.[0].Config)' 'no Config'
	broken '.[0].Layers |= reverse' "but the config's diff_id is"
	echo '[{' >"$x/manifest.json"
	tar -C "$x" -cf "$TESTDIR/bad.tar" .
	lade_fail ls --layout "$TESTDIR/bad.tar"
	[[ "$output" == *"manifest.json: invalid JSON"* ]]

	# A layer whose bytes changed after the archive was made.
	jq -c . "$TESTDIR/manifest.json" >"$x/manifest.json"
	printf 'X' | dd of="$x/$layer" bs=1 seek=600 conv=notrunc status=none
	tar -C "$x" -cf "$TESTDIR/bad.tar" .
	lade_fail unpack $(map_flags) --image "$TESTDIR/bad.tar:docker.io/library/small:1" "$TESTDIR/bundle"
	[[ "$output" == *"diff_id"* ]] || fail "$output"
}

@test "gc on a docker save (25+) archive keeps what manifest.json and legacy links name" {
	requires skopeo
	layout="$(small_image img)"
	d="$(jq -r '.manifests[0].digest' "$layout/index.json")"
	config="$(jq -r '.config.digest' "$layout/blobs/sha256/${d#sha256:}")"
	layer="$(jq -r '.layers[0].digest' "$layout/blobs/sha256/${d#sha256:}")"
	jq -n --arg c "blobs/sha256/${config#sha256:}" --arg l "blobs/sha256/${layer#sha256:}" \
		'[{Config: $c, RepoTags: ["img:latest"], Layers: [$l]}]' >"$layout/manifest.json"
	mkdir "$layout/legacy"
	ln -s "../blobs/sha256/${layer#sha256:}" "$layout/legacy/layer.tar"
	archive="$TESTDIR/docker.tar"
	tar -C "$layout" -cf "$archive" manifest.json legacy blobs index.json oci-layout
	# Untagged, the image is garbage to index.json but not to manifest.json.
	lade_ok tag --image "$archive:latest" keep
	lade_ok rm --image "$archive:latest"
	lade_ok rm --image "$archive:keep"
	# The dry run lists what gc will remove: not what manifest.json names.
	lade_ok gc --dry-run --layout "$archive"
	[[ "$output" == *"$d"* && "$output" != *"$config"* && "$output" != *"$layer"* ]] || fail "dry run: $output"
	lade_ok gc --layout "$archive"
	lade_ok validate --layout "$archive"
	mkdir "$TESTDIR/x"
	tar -C "$TESTDIR/x" -xf "$archive"
	[[ -f "$TESTDIR/x/blobs/sha256/${config#sha256:}" ]] || fail "config named by manifest.json removed"
	[[ -e "$TESTDIR/x/legacy/layer.tar" ]] || fail "legacy link dangles"
	# The manifest only index.json named is gone.
	[[ ! -e "$TESTDIR/x/blobs/sha256/${d#sha256:}" ]] || fail "unreachable manifest kept"
	# A second gc changes nothing.
	inode="$(stat -c %i "$archive")"
	lade_ok gc --layout "$archive"
	[[ "$(stat -c %i "$archive")" == "$inode" ]]
	no_temps "$archive"
}

@test "concurrent writing processes never lose an update" {
	requires skopeo
	layout="$(small_archive img)"
	archive="$layout.tar"
	echo hi >"$TESTDIR/hi"
	for i in 1 2 3 4 5 6; do
		"$LADE" tag --image "$archive:latest" "a$i" &
		"$LADE" insert $(map_flags) --image "$archive:latest" --tag "i$i" "$TESTDIR/hi" "/hi$i" &
		"$LADE" ls --layout "$archive" >/dev/null &
		wait
	done
	lade_ok ls --layout "$archive"
	[[ "$(sort <<<"$output" | paste -sd' ')" == "a1 a2 a3 a4 a5 a6 i1 i2 i3 i4 i5 i6 latest" ]] || fail "tags: $output"
	archive_ok "$archive"
	no_temps "$archive"
}

@test "writing an archive with a 250-byte name, spaces and a newline" {
	requires skopeo
	layout="$(small_archive img)"
	long="$TESTDIR/$(printf 'x%.0s' $(seq 1 246)).tar"
	cp "$layout.tar" "$long"
	lade_ok tag --image "$long:latest" v2
	odd="$TESTDIR/a b
c.tar"
	cp "$layout.tar" "$odd"
	lade_ok tag --image "$odd:latest" v2
	for a in "$long" "$odd"; do
		lade_ok ls --layout "$a"
		[[ "$(paste -sd' ' <<<"$output")" == "latest v2" ]]
		no_temps "$a"
	done
}

@test "a full file system fails a write with one line and leaves the archive" {
	requires root skopeo
	layout="$(small_archive img)"
	mkdir "$TESTDIR/small"
	mount -t tmpfs -o size=2m tmpfs "$TESTDIR/small" || skip "cannot mount a tmpfs"
	cp "$layout.tar" "$TESTDIR/small/img.tar"
	sum="$(sha256sum <"$TESTDIR/small/img.tar")"
	head -c 1500000 /dev/urandom >"$TESTDIR/big"
	run "$LADE" insert --image "$TESTDIR/small/img.tar:latest" --tag big "$TESTDIR/big" /big
	umount_out="$output"
	[[ "$status" -ne 0 && "$output" == *"no space left"* && "${#lines[@]}" -eq 1 ]] || {
		umount "$TESTDIR/small"
		fail "insert: $status: $umount_out"
	}
	[[ "$(sha256sum <"$TESTDIR/small/img.tar")" == "$sum" ]] || { umount "$TESTDIR/small"; fail "archive changed"; }
	left="$(find "$TESTDIR/small" -name '.lade-tmp-*')"
	umount "$TESTDIR/small"
	[[ -z "$left" ]] || fail "temporary files left: $left"
}
