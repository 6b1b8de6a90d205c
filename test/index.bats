#!/usr/bin/env bats
# lade index create/add/remove/ls: building and editing multi-platform
# image indexes.

load helpers

# arch_images LAYOUT ARCH[/VARIANT]...: one image per platform, tagged with
# ARCH and VARIANT joined by "-" (e.g. arm64-v8), each with /arch holding
# that name.
arch_images() {
	local layout="$1" spec arch variant tag
	shift
	[[ -d "$layout" ]] || "$LADE" init --layout "$layout"
	for spec in "$@"; do
		arch="${spec%%/*}"
		variant=""
		[[ "$spec" == */* ]] && variant="${spec#*/}"
		tag="${spec//\//-}"
		"$LADE" new --image "$layout:$tag"
		"$LADE" config --image "$layout:$tag" --platform.os linux --platform.arch "$arch" \
			--platform.variant "$variant" --no-history
		echo "$tag" >"$TESTDIR/arch-$tag"
		"$LADE" insert --rootless --image "$layout:$tag" "$TESTDIR/arch-$tag" /arch
	done
}

# digest_of LAYOUT TAG: the digest TAG points at.
digest_of() {
	jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
		"$1/index.json"
}

# index_blob LAYOUT TAG: the path of the blob TAG points at.
index_blob() {
	local d
	d="$(digest_of "$1" "$2")"
	echo "$1/blobs/sha256/${d#sha256:}"
}

@test "lade index create" {
	layout="$TESTDIR/img"
	arch_images "$layout" amd64 arm64/v8 arm/v7
	lade_ok index create --annotation org.example.k=v=w --image "$layout:multi" amd64 arm64-v8 arm-v7
	blob="$(index_blob "$layout" multi)"
	jq -e '.schemaVersion == 2 and .mediaType == "application/vnd.oci.image.index.v1+json"' "$blob"
	jq -e '.annotations == {"org.example.k": "v=w"}' "$blob"
	[[ "$(jq -r '[.manifests[].platform | [.os, .architecture, .variant // ""] | join("/")] | join(" ")' "$blob")" == \
		"linux/amd64/ linux/arm64/v8 linux/arm/v7" ]]
	[[ "$(jq -r '.manifests[1].digest' "$blob")" == "$(digest_of "$layout" arm64-v8)" ]]
	jq -e '[.manifests[] | has("annotations")] | any | not' "$blob"
	# Written like every lade JSON blob: compact, one trailing newline.
	[[ "$(wc -l <"$blob")" -eq 1 ]]
	lade_ok validate --layout "$layout"
	lade_ok index ls --image "$layout:multi"
	[[ "${#lines[@]}" -eq 3 ]]
	[[ "${lines[1]}" == "linux/arm64/v8	$(digest_of "$layout" arm64-v8)	"*"	application/vnd.oci.image.manifest.v1+json" ]]
	lade_ok index ls --json --image "$layout:multi"
	[[ "$(jq -r '.[2].platform.variant' <<<"$output")" == v7 ]]
	image-verify "$layout"
}

@test "lade stat and unpack --platform on a created index" {
	layout="$TESTDIR/img"
	arch_images "$layout" amd64 arm64/v8
	lade_ok index create --image "$layout:multi" amd64 arm64-v8
	# The sources can go: the index keeps its images from gc.
	lade_ok rm --image "$layout:amd64"
	lade_ok rm --image "$layout:arm64-v8"
	lade_ok gc --layout "$layout"
	lade_fail stat --image "$layout:multi"
	[[ "$output" == *"tag is ambiguous: multi (platforms: linux/amd64, linux/arm64/v8)"* ]]
	lade_ok stat --platform linux/arm64 --json --image "$layout:multi"
	[[ "$(jq -r .config.blob.architecture <<<"$output")" == arm64 ]]
	lade_ok unpack --rootless --platform linux/amd64 --image "$layout:multi" "$TESTDIR/bundle"
	[[ "$(cat "$TESTDIR/bundle/rootfs/arch")" == amd64 ]]
	lade_ok validate --layout "$layout"
}

@test "lade index: skopeo and umoci read a created index" {
	requires skopeo umoci
	layout="$TESTDIR/img"
	arch_images "$layout" amd64 arm64/v8
	lade_ok index create --image "$layout:multi" amd64 arm64-v8
	run -0 skopeo inspect --override-os linux --override-arch arm64 --override-variant v8 "oci:$layout:multi"
	[[ "$(jq -r .Architecture <<<"$output")" == arm64 ]]
	run -0 skopeo inspect --override-os linux --override-arch amd64 "oci:$layout:multi"
	[[ "$(jq -r .Architecture <<<"$output")" == amd64 ]]
	run -0 skopeo inspect --raw "oci:$layout:multi"
	cmp <(printf '%s\n' "$output") "$(index_blob "$layout" multi)"
	run -0 skopeo copy --multi-arch all "oci:$layout:multi" "oci:$TESTDIR/copy:multi"
	lade_ok index ls --image "$TESTDIR/copy:multi"
	[[ "$(cut -f1,2 <<<"$output")" == "$("$LADE" index ls --image "$layout:multi" | cut -f1,2)" ]]
	lade_ok unpack --rootless --platform linux/arm64 --image "$TESTDIR/copy:multi" "$TESTDIR/bundle"
	[[ "$(cat "$TESTDIR/bundle/rootfs/arch")" == arm64-v8 ]]
	# Debian's umoci cannot pick a platform: it says the tag is ambiguous.
	run -1 umoci stat --image "$layout:multi"
	[[ "$output" == *"ambiguous"* ]]
	run -0 umoci stat --image "$layout:amd64"
}

@test "lade index add and remove" {
	layout="$TESTDIR/img"
	arch_images "$layout" amd64 arm64/v8 s390x
	lade_ok index create --annotation k=v --image "$layout:multi" amd64
	lade_ok index add --image "$layout:multi" arm64-v8 s390x
	lade_ok index ls --image "$layout:multi"
	[[ "$(cut -f1 <<<"$output" | paste -sd' ')" == "linux/amd64 linux/arm64/v8 linux/s390x" ]]
	# A new amd64 image replaces the old entry in place.
	old="$(digest_of "$layout" amd64)"
	echo new >"$TESTDIR/new"
	lade_ok insert --rootless --image "$layout:amd64" "$TESTDIR/new" /new
	new="$(digest_of "$layout" amd64)"
	lade_ok index add --image "$layout:multi" amd64
	blob="$(index_blob "$layout" multi)"
	[[ "$(jq -r '.manifests[0].digest' "$blob")" == "$new" && "$new" != "$old" ]]
	jq -e '(.manifests | length) == 3 and .annotations.k == "v"' "$blob"
	lade_fail index add --image "$layout:multi" s390x s390x
	[[ "$output" == *"duplicate platform: linux/s390x"* ]]
	lade_ok index remove --image "$layout:multi" --platform linux/arm64
	lade_ok index rm --image "$layout:multi" --platform linux/s390x
	lade_fail index rm --image "$layout:multi" --platform linux/s390x
	[[ "$output" == *"no image for platform linux/s390x: the index has linux/amd64"* ]]
	lade_fail index rm --image "$layout:multi" --platform linux/amd64
	[[ "$output" == *"index would have no entries"* ]]
	lade_ok index ls --image "$layout:multi"
	[[ "$output" == "linux/amd64	$new	"* ]]
	lade_ok stat --image "$layout:multi"
	lade_ok validate --layout "$layout"
}

@test "lade index --nested" {
	layout="$TESTDIR/img"
	arch_images "$layout" amd64 arm64 riscv64
	lade_ok index create --image "$layout:inner" amd64 arm64
	lade_fail index create --image "$layout:outer" riscv64 inner
	[[ "$output" == *"source is a multi-image index"*"--nested"* ]]
	lade_ok index create --nested --image "$layout:outer" riscv64 inner
	lade_ok index ls --image "$layout:outer"
	[[ "${lines[1]}" == "unknown	$(digest_of "$layout" inner)	"*"	application/vnd.oci.image.index.v1+json" ]]
	lade_ok stat --platform linux/arm64 --image "$layout:outer"
	lade_fail index add --image "$layout:outer" inner
	lade_ok index add --nested --image "$layout:outer" inner
	[[ "$(jq '.manifests | length' "$(index_blob "$layout" outer)")" -eq 2 ]]
	lade_ok validate --layout "$layout"
}

@test "lade index create --allow-duplicates" {
	layout="$TESTDIR/img"
	arch_images "$layout" arm64 arm64/v8
	lade_fail index create --image "$layout:multi" arm64 arm64-v8
	[[ "$output" == *"duplicate platform: linux/arm64/v8 (use --allow-duplicates to keep both)"* ]]
	[[ -z "$(digest_of "$layout" multi)" ]]
	lade_ok index create --allow-duplicates --image "$layout:multi" arm64 arm64-v8
	lade_fail stat --platform linux/arm64 --image "$layout:multi"
	[[ "$output" == *"2 images match platform linux/arm64"* ]]
}

@test "lade index [invalid arguments]" {
	layout="$TESTDIR/img"
	arch_images "$layout" amd64
	lade_fail index create --image "$layout:multi"
	[[ "$output" == *"expected at least one <source-tag>"* ]]
	lade_fail index create --image "$layout:multi" missing
	[[ "$output" == *"tag not found: missing"* ]]
	lade_fail index create --image "$layout:multi" "a b"
	[[ "$output" == *"invalid source tag"* ]]
	lade_fail index create --image "$layout:bad tag" amd64
	[[ "$output" == *"invalid tag"* ]]
	lade_fail index create --image "$layout:multi" amd64 --allow-duplicates
	[[ "$output" == *"flags must come before positional arguments"* ]]
	lade_fail index create --annotation novalue --image "$layout:multi" amd64
	[[ "$output" == *"must be of the form KEY=VALUE"* ]]
	lade_fail index create --annotation =v --image "$layout:multi" amd64
	lade_fail index create amd64
	[[ "$output" == *"missing mandatory argument: --image"* ]]
	lade_fail index create --image "$TESTDIR/nolayout:multi" amd64
	lade_fail index add --image "$layout:amd64" amd64
	[[ "$output" == *"not an OCI image index"* ]]
	lade_fail index add --image "$layout:missing" amd64
	[[ "$output" == *"tag not found: missing"* ]]
	lade_ok index create --image "$layout:multi" amd64
	lade_fail index add --image "$layout:multi"
	lade_fail index rm --image "$layout:multi"
	[[ "$output" == *"missing mandatory argument: --platform"* ]]
	lade_fail index rm --image "$layout:multi" --platform linux
	[[ "$output" == *"invalid --platform"* ]]
	lade_fail index rm --image "$layout:multi" --platform linux/amd64/
	lade_fail index rm --image "$layout:multi" --platform linux/amd64 extra
	lade_fail index ls --image "$layout:amd64"
	[[ "$output" == *"not an OCI image index"* ]]
	lade_fail index ls --image "$layout:multi" extra
	lade_fail index nope
	# Nothing above changed the layout.
	[[ "$(tags "$layout")" == "amd64 multi" ]]
	image-verify "$layout"
}

@test "lade index is documented" {
	for cmd in create add remove ls; do
		lade_ok index "$cmd" --help
		[[ "$output" == *"DESCRIPTION:"* && "$output" == *"--image"* ]] || fail "index $cmd --help lacks a manual"
	done
	lade_ok index --help
	[[ "$output" == *"create"*"remove"* ]]
}
