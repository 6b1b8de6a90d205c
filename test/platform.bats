#!/usr/bin/env bats
# --platform OS/ARCH[/VARIANT] on the commands that resolve an image, on a
# multi-platform index.

load helpers

# multi_layout NAME: a layout whose tag "multi" is an OCI index of two
# images, linux/amd64 and linux/arm64/v8 (platforms on the index entries),
# each with /arch holding its architecture. Prints the layout path.
multi_layout() {
	local layout arch variant d
	layout="$(new_layout "$1")"
	for arch in amd64 arm64; do
		variant=""
		[[ "$arch" == arm64 ]] && variant=v8
		"$LADE" new --image "$layout:$arch"
		"$LADE" config --image "$layout:$arch" --platform.os linux --platform.arch "$arch" \
			--platform.variant "$variant" --no-history
		echo "$arch" >"$TESTDIR/arch-$arch"
		"$LADE" insert --rootless --image "$layout:$arch" "$TESTDIR/arch-$arch" /arch
	done
	jq -c '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [.manifests[] | del(.annotations) |
			.platform = (if .digest == $amd then {os: "linux", architecture: "amd64"}
				else {os: "linux", architecture: "arm64", variant: "v8"} end)]}' \
		--arg amd "$(manifest_of "$layout" amd64)" "$layout/index.json" >"$TESTDIR/multi.json"
	d="$(sha256sum <"$TESTDIR/multi.json" | cut -d' ' -f1)"
	cp "$TESTDIR/multi.json" "$layout/blobs/sha256/$d"
	jq -c --arg d "sha256:$d" --argjson size "$(stat -c %s "$TESTDIR/multi.json")" \
		'.manifests = [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $size,
			annotations: {"org.opencontainers.image.ref.name": "multi"}}]' \
		"$layout/index.json" >"$TESTDIR/index.json"
	mv "$TESTDIR/index.json" "$layout/index.json"
	echo "$layout"
}

# manifest_of LAYOUT TAG: the digest TAG points at.
manifest_of() {
	jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
		"$1/index.json"
}

# children LAYOUT TAG: "ARCH=DIGEST" of each entry of the index TAG points at.
children() {
	local d
	d="$(manifest_of "$1" "$2")"
	jq -r '.manifests[] | "\(.platform.architecture)=\(.digest)"' "$1/blobs/sha256/${d#sha256:}" | paste -sd' ' -
}

@test "lade stat --platform" {
	layout="$(multi_layout img)"
	lade_fail stat --image "$layout:multi"
	[[ "$output" == *"tag is ambiguous: multi (platforms: linux/amd64, linux/arm64/v8); pick one with --platform" ]]
	lade_ok stat --platform linux/arm64 --json --image "$layout:multi"
	[[ "$(jq -r '.config.blob.architecture + "/" + .config.blob.variant' <<<"$output")" == "arm64/v8" ]]
	lade_fail stat --platform linux/amd64/ --image "$layout:multi"
	lade_fail stat --platform linux/s390x --image "$layout:multi"
	[[ "$output" == *"no image for platform linux/s390x: tag multi has linux/amd64, linux/arm64/v8" ]]
	lade_fail stat --platform linux --image "$layout:multi"
	[[ "$output" == *"invalid --platform"* ]]
	lade_fail stat --platform linux/amd64 --image "$layout:missing"
	[[ "$output" == *"tag not found: missing (tags: "* ]] || fail "$output"
}

@test "lade unpack --platform and repack keep the index" {
	layout="$(multi_layout img)"
	before="$(children "$layout" multi)"
	lade_fail unpack --rootless --image "$layout:multi" "$TESTDIR/bundle"
	[[ "$output" == *"pick one with --platform" ]]
	[[ ! -e "$TESTDIR/bundle" ]]
	lade_ok unpack --rootless --platform linux/arm64/v8 --image "$layout:multi" "$TESTDIR/bundle"
	[[ "$(cat "$TESTDIR/bundle/rootfs/arch")" == arm64 ]]
	jq -e '.from_descriptor_path.descriptor_walk | length == 2' "$TESTDIR/bundle/umoci.json"
	echo added >"$TESTDIR/bundle/rootfs/added"
	lade_ok repack --image "$layout:multi" "$TESTDIR/bundle"
	after="$(children "$layout" multi)"
	# The amd64 child is untouched, the arm64 child is new.
	[[ "${after%% *}" == "${before%% *}" ]]
	[[ "${after##* }" == arm64=* && "${after##* }" != "${before##* }" ]]
	lade_ok raw unpack --rootless --platform linux/arm64 --image "$layout:multi" "$TESTDIR/rootfs"
	[[ "$(cat "$TESTDIR/rootfs/added")" == added ]]
	image-verify "$layout"
}

@test "lade config, insert, raw add-layer --platform edit one child" {
	layout="$(multi_layout img)"
	before="$(children "$layout" multi)"
	lade_fail config --config.user 1000 --image "$layout:multi"
	lade_ok config --platform linux/amd64 --config.user 1000 --image "$layout:multi"
	after="$(children "$layout" multi)"
	[[ "${after##* }" == "${before##* }" && "${after%% *}" != "${before%% *}" ]]
	lade_ok stat --platform linux/amd64 --json --image "$layout:multi"
	[[ "$(jq -r .config.blob.config.User <<<"$output")" == 1000 ]]
	lade_ok stat --platform linux/arm64 --json --image "$layout:multi"
	[[ "$(jq -r '.config.blob.config.User // "none"' <<<"$output")" == none ]]

	before="$after"
	echo hi >"$TESTDIR/hi"
	lade_ok insert --rootless --platform linux/arm64 --image "$layout:multi" "$TESTDIR/hi" /hi
	after="$(children "$layout" multi)"
	[[ "${after%% *}" == "${before%% *}" && "${after##* }" != "${before##* }" ]]

	before="$after"
	tar -C "$TESTDIR" -cf "$TESTDIR/layer.tar" hi
	lade_ok raw add-layer --platform linux/amd64 --tag copy --image "$layout:multi" "$TESTDIR/layer.tar"
	[[ "$(children "$layout" multi)" == "$before" ]]
	after="$(children "$layout" copy)"
	[[ "${after##* }" == "${before##* }" && "${after%% *}" != "${before%% *}" ]]
	image-verify "$layout"
}

@test "lade tag --platform points at the child manifest" {
	layout="$(multi_layout img)"
	lade_fail tag --image "$layout:multi" arm
	lade_ok tag --platform linux/arm64 --image "$layout:multi" arm
	[[ "$(manifest_of "$layout" arm)" == "$(children "$layout" multi | sed 's/.* arm64=//')" ]]
	# The new tag is a single image: no --platform needed.
	lade_ok stat --image "$layout:arm"
	lade_ok raw runtime-config --platform linux/amd64 --image "$layout:multi" "$TESTDIR/config.json"
	jq -e '.root.path == "."' "$TESTDIR/config.json"
}

@test "lade --platform on a single image" {
	layout="$(new_layout img)"
	new_image "$layout" one
	arch="$(host_arch)"
	lade_ok stat --platform "linux/$arch" --image "$layout:one"
	lade_fail stat --platform plan9/mips --image "$layout:one"
	[[ "$output" == *"no image for platform plan9/mips: tag one has linux/$arch"* ]]
}

@test "lade --platform is documented" {
	for cmd in stat unpack config insert tag "raw unpack" "raw runtime-config" "raw add-layer"; do
		# shellcheck disable=SC2086
		lade_ok $cmd --help
		[[ "$output" == *"--platform OS/ARCH[/VARIANT]"* ]] || fail "$cmd --help lacks --platform"
	done
}
