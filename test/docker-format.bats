#!/usr/bin/env bats
# Docker v2s2 images in a layout (skopeo copy --format v2s2): lade reads
# them like OCI images, and every edit writes the image back in OCI form.

load helpers

DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json

setup_file() {
	build_mkimage
}

setup() {
	TESTDIR="$BATS_TEST_TMPDIR"
	unset SOURCE_DATE_EPOCH
	requires skopeo jq
	# oci: the "small" image written by lade; docker: skopeo's v2s2 copy.
	"$MKIMAGE" small "$TESTDIR/oci:latest" >&2
	skopeo copy --quiet --format v2s2 "oci:$TESTDIR/oci:latest" "oci:$TESTDIR/docker:latest"
	[[ "$(entry_type "$TESTDIR/docker" latest)" == "$DOCKER_MANIFEST" ]]
}

# map_flags: --rootless when not running as root.
map_flags() {
	[[ "$(id -u)" -eq 0 ]] || echo --rootless
}

# entry_type LAYOUT TAG: the media type of the index.json entry tagged TAG.
entry_type() {
	jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .mediaType' "$1/index.json"
}

# manifest LAYOUT TAG: the manifest blob TAG points at.
manifest() {
	local d
	d="$(jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$1/index.json")"
	cat "$1/blobs/sha256/${d#sha256:}"
}

# check_converted TAG: TAG in the docker layout is an OCI image whose first
# layers are the Docker image's (same digests, OCI types), readable by
# skopeo and unpacked by Debian's umoci; the layout validates.
check_converted() {
	local tag="$1" before after
	[[ "$(entry_type "$TESTDIR/docker" "$tag")" == "$OCI_MANIFEST" ]] || fail "$tag is $(entry_type "$TESTDIR/docker" "$tag")"
	after="$(manifest "$TESTDIR/docker" "$tag")"
	before="$(manifest "$TESTDIR/docker" latest)"
	[[ "$(jq -r .mediaType <<<"$after")" == "$OCI_MANIFEST" ]]
	[[ "$(jq -r .config.mediaType <<<"$after")" == application/vnd.oci.image.config.v1+json ]]
	[[ -z "$(jq -r '.layers[].mediaType | select(startswith("application/vnd.docker"))' <<<"$after")" ]] || fail "Docker layer types left: $after"
	n="$(jq '.layers | length' <<<"$before")"
	[[ "$(jq -c --argjson n "$n" '[.layers[:$n][] | .digest]' <<<"$after")" == "$(jq -c '[.layers[].digest]' <<<"$before")" ]] ||
		fail "layer digests changed: $after"
	lade_ok validate --layout "$TESTDIR/docker"
	run -0 skopeo inspect "oci:$TESTDIR/docker:$tag"
	[[ "$(jq -r .Os <<<"$output")" == linux ]]
	if command -v umoci >/dev/null; then
		run umoci unpack --rootless --image "$TESTDIR/docker:$tag" "$TESTDIR/umoci-$tag"
		[[ "$status" -eq 0 ]] || fail "umoci unpack $tag: $output"
	fi
	# The Docker original is untouched.
	[[ "$(entry_type "$TESTDIR/docker" latest)" == "$DOCKER_MANIFEST" ]]
}

@test "stat, unpack, raw unpack, raw runtime-config and export read a Docker image like its OCI original" {
	# Directories no layer has an entry for get this time instead of the
	# time of each unpack, so the two trees compare equal.
	export SOURCE_DATE_EPOCH=1700000000
	lade_ok stat --image "$TESTDIR/docker"
	[[ "$output" == *"Media Type: $DOCKER_MANIFEST"* ]]
	for img in oci docker; do
		lade_ok unpack $(map_flags) --image "$TESTDIR/$img" "$TESTDIR/b-$img"
		lade_ok raw unpack $(map_flags) --image "$TESTDIR/$img" "$TESTDIR/r-$img"
		lade_ok raw runtime-config --image "$TESTDIR/$img" "$TESTDIR/cfg-$img.json"
		lade_ok export $(map_flags) --image "$TESTDIR/$img" "$TESTDIR/$img.tar"
	done
	diff -r --no-dereference "$TESTDIR/b-oci/rootfs" "$TESTDIR/b-docker/rootfs"
	diff -r --no-dereference "$TESTDIR/r-oci" "$TESTDIR/r-docker"
	cmp "$TESTDIR/b-oci/config.json" "$TESTDIR/b-docker/config.json"
	cmp "$TESTDIR/cfg-oci.json" "$TESTDIR/cfg-docker.json"
	cmp "$TESTDIR/oci.tar" "$TESTDIR/docker.tar"
	[[ "$(jq -c .process.args "$TESTDIR/b-docker/config.json")" == '["/usr/bin/hello"]' ]]
	# umoci.json records the path as found; the layout is not rewritten.
	[[ "$(jq -r '.from_descriptor_path.descriptor_walk[0].mediaType' "$TESTDIR/b-docker/umoci.json")" == "$DOCKER_MANIFEST" ]]
	[[ "$(entry_type "$TESTDIR/docker" latest)" == "$DOCKER_MANIFEST" ]]
	# The Docker bundle's mtree manifest describes the OCI original's tree.
	lade_ok raw mtree-validate $(map_flags) --manifest "$(ls "$TESTDIR"/b-docker/sha256_*.mtree)" --path "$TESTDIR/b-oci/rootfs"
	[[ -z "$output" ]]
}

@test "config on a Docker image writes an OCI image and says so" {
	lade_ok --verbose config --image "$TESTDIR/docker" --tag edited --config.cmd /bin/edited
	[[ "$output" == *"converted image from Docker v2s2 to OCI"* ]]
	check_converted edited
	run -0 skopeo inspect --config "oci:$TESTDIR/docker:edited"
	[[ "$(jq -c .config.Cmd <<<"$output")" == '["/bin/edited"]' ]]
	[[ "$(jq -r '.config.Labels["org.example.kind"]' <<<"$output")" == small ]]
}

@test "repack of a bundle unpacked from a Docker image writes an OCI image" {
	lade_ok unpack $(map_flags) --image "$TESTDIR/docker" "$TESTDIR/b"
	echo added >"$TESTDIR/b/rootfs/added"
	lade_ok repack --image "$TESTDIR/docker:repacked" "$TESTDIR/b"
	check_converted repacked
	[[ "$(manifest "$TESTDIR/docker" repacked | jq -r '.layers[-1].mediaType')" == application/vnd.oci.image.layer.v1.tar+gzip ]]
	if command -v umoci >/dev/null; then
		[[ "$(cat "$TESTDIR/umoci-repacked/rootfs/added")" == added ]]
	fi
	lade_ok unpack $(map_flags) --image "$TESTDIR/docker:repacked" "$TESTDIR/b2"
	[[ "$(cat "$TESTDIR/b2/rootfs/added")" == added ]]
}

@test "insert, raw add-layer and squash on a Docker image write OCI images" {
	echo inserted >"$TESTDIR/ins"
	lade_ok insert --image "$TESTDIR/docker" --tag inserted "$TESTDIR/ins" /ins
	check_converted inserted
	lade_ok export $(map_flags) --image "$TESTDIR/oci" "$TESTDIR/flat.tar"
	lade_ok raw add-layer --image "$TESTDIR/docker" --tag added "$TESTDIR/flat.tar"
	check_converted added
	lade_ok squash --image "$TESTDIR/docker" --tag squashed
	[[ "$(entry_type "$TESTDIR/docker" squashed)" == "$OCI_MANIFEST" ]]
	[[ "$(manifest "$TESTDIR/docker" squashed | jq -r '[.mediaType, .config.mediaType, (.layers | length)] | @tsv')" == \
		"$OCI_MANIFEST"$'\t'application/vnd.oci.image.config.v1+json$'\t'1 ]]
	lade_ok validate --layout "$TESTDIR/docker"
	lade_ok export $(map_flags) --image "$TESTDIR/docker:squashed" "$TESTDIR/squashed.tar"
	diff <(tar -tf "$TESTDIR/flat.tar") <(tar -tf "$TESTDIR/squashed.tar")
}

@test "an edit through a Docker manifest list picks the child by --platform and writes an OCI index" {
	"$LADE" new --image "$TESTDIR/oci:arm"
	"$LADE" config --image "$TESTDIR/oci:arm" --architecture arm64
	"$LADE" index create --image "$TESTDIR/oci:multi" latest arm
	skopeo copy --quiet --multi-arch all --format v2s2 "oci:$TESTDIR/oci:multi" "oci:$TESTDIR/docker:multi"
	[[ "$(entry_type "$TESTDIR/docker" multi)" == application/vnd.docker.distribution.manifest.list.v2+json ]]
	lade_ok stat --image "$TESTDIR/docker:multi" --platform linux/arm64
	lade_ok unpack $(map_flags) --platform linux/amd64 --image "$TESTDIR/docker:multi" "$TESTDIR/b"
	[[ "$(jq -c .process.args "$TESTDIR/b/config.json")" == '["/usr/bin/hello"]' ]]
	lade_ok --verbose config --image "$TESTDIR/docker:multi" --platform linux/arm64 --tag edited --config.cmd /x
	[[ "$output" == *"converted manifest list from Docker to OCI index"* ]]
	[[ "$(entry_type "$TESTDIR/docker" edited)" == application/vnd.oci.image.index.v1+json ]]
	# The edited child is OCI, the other child is kept as it was.
	[[ "$(manifest "$TESTDIR/docker" edited | jq -r '[.manifests[] | .platform.architecture + "=" + .mediaType] | join(" ")')" == \
		"amd64=$DOCKER_MANIFEST arm64=$OCI_MANIFEST" ]]
	lade_ok validate --layout "$TESTDIR/docker"
	run -0 skopeo inspect --override-arch arm64 --config "oci:$TESTDIR/docker:edited"
	[[ "$(jq -c .config.Cmd <<<"$output")" == '["/x"]' ]]
}
