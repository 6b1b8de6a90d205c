#!/usr/bin/env bats
# Interoperability with skopeo and Debian's umoci (0.4.7). Everything is
# offline: source images are built with umoci or lade.

load helpers

setup() {
	requires skopeo umoci jq
	TESTDIR="$BATS_TEST_TMPDIR"
	unset SOURCE_DATE_EPOCH
}

@test "lade reads a layout written by skopeo" {
	umoci_image "$TESTDIR/src" base
	skopeo copy --quiet "oci:$TESTDIR/src:base" "oci:$TESTDIR/sk:copied"
	lade_ok ls --layout "$TESTDIR/sk"
	[[ "$output" == "copied" ]]
	lade_ok stat --image "$TESTDIR/sk:copied"
	[[ "$output" == *"umoci insert"* ]]
	lade_ok stat --json --image "$TESTDIR/sk:copied"
	[[ "$(jq '.manifest.blob.layers | length' <<<"$output")" -eq 1 ]]
	lade_ok tag --image "$TESTDIR/sk:copied" again
	[[ "$(tags "$TESTDIR/sk")" == "copied again" ]]
	blobs="$(ls "$TESTDIR/sk/blobs/sha256" | wc -l)"
	lade_ok gc --layout "$TESTDIR/sk"
	[[ "$(ls "$TESTDIR/sk/blobs/sha256" | wc -l)" -eq "$blobs" ]]
	image-verify "$TESTDIR/sk"
	# And skopeo still reads it after lade wrote to it.
	skopeo inspect "oci:$TESTDIR/sk:again" >/dev/null
}

@test "skopeo and umoci read a layout written by lade" {
	layout="$(new_layout img)"
	new_image "$layout" blank
	lade_ok tag --image "$layout:blank" "v1.0"
	run -0 skopeo inspect "oci:$layout:v1.0"
	[[ "$(jq -r .Architecture <<<"$output")" == "$(host_arch)" ]]
	[[ "$(jq -r .Os <<<"$output")" == linux ]]
	run -0 skopeo inspect --raw "oci:$layout:blank"
	[[ "$(jq -r .mediaType <<<"$output")" == "application/vnd.oci.image.manifest.v1+json" ]]
	run -0 umoci ls --layout "$layout"
	[[ "${lines[*]}" == "blank v1.0" ]]
	run -0 umoci stat --image "$layout:v1.0"
	[[ "${lines[0]}" == "LAYER"* ]]
	# A lade tag of an umoci image is usable by skopeo and umoci.
	umoci_image "$layout" layered
	lade_ok tag --image "$layout:layered" "layered-copy"
	skopeo copy --quiet "oci:$layout:layered-copy" "oci:$TESTDIR/out:x"
	run -0 umoci unpack --rootless --image "$layout:layered-copy" "$TESTDIR/bundle"
	[[ "$(cat "$TESTDIR/bundle/rootfs/hello")" == "hello from layered" ]]
}

@test "lade reads and writes a layout made by umoci 0.4.7" {
	umoci init --layout "$TESTDIR/u"
	lade_ok ls --layout "$TESTDIR/u"
	[[ -z "$output" ]]
	new_image "$TESTDIR/u" from-lade
	umoci new --image "$TESTDIR/u:from-umoci"
	run -0 umoci ls --layout "$TESTDIR/u"
	[[ "${lines[*]}" == "from-lade from-umoci" ]]
	lade_ok stat --image "$TESTDIR/u:from-umoci"
	image-verify "$TESTDIR/u"
}

@test "umoci and lade agree on tags after the same tag/rm sequence" {
	umoci_image "$TESTDIR/base" base
	cp -r "$TESTDIR/base" "$TESTDIR/by-umoci"
	cp -r "$TESTDIR/base" "$TESTDIR/by-lade"
	ops=(
		"tag base a"
		"tag a b"
		"tag base a"
		"tag b c:with:colons"
		"rm b"
		"rm never-existed"
		"tag c:with:colons docker.io/library/x:1"
		"tag a base"
		"rm a"
		"tag base z"
	)
	for op in "${ops[@]}"; do
		read -r cmd src dst <<<"$op"
		for tool in umoci "$LADE"; do
			dir="$TESTDIR/by-lade"
			[[ "$tool" == umoci ]] && dir="$TESTDIR/by-umoci"
			if [[ "$cmd" == tag ]]; then
				"$tool" tag --image "$dir:$src" "$dst"
			else
				"$tool" rm --image "$dir:$src"
			fi
		done
	done
	run -0 umoci ls --layout "$TESTDIR/by-umoci"
	want="${lines[*]}"
	lade_ok ls --layout "$TESTDIR/by-lade"
	[[ "${lines[*]}" == "$want" ]] || fail "lade tags '${lines[*]}', umoci tags '$want'"
	# Same digests too.
	diff <(jq -c '[.manifests[] | [.annotations["org.opencontainers.image.ref.name"], .digest]]' "$TESTDIR/by-umoci/index.json") \
		<(jq -c '[.manifests[] | [.annotations["org.opencontainers.image.ref.name"], .digest]]' "$TESTDIR/by-lade/index.json")
	# Each reads the other's result.
	run -0 umoci ls --layout "$TESTDIR/by-lade"
	[[ "${lines[*]}" == "$want" ]]
	image-verify "$TESTDIR/by-umoci"
}

@test "lade gc keeps the blobs of a Docker v2s2 manifest" {
	umoci_image "$TESTDIR/a" t
	skopeo copy --quiet --format v2s2 "oci:$TESTDIR/a:t" "oci:$TESTDIR/b:t"
	run -0 jq -r '.manifests[0].mediaType' "$TESTDIR/b/index.json"
	[[ "$output" == "application/vnd.docker.distribution.manifest.v2+json" ]]
	before="$(ls "$TESTDIR/b/blobs/sha256" | sort)"
	[[ "$(wc -l <<<"$before")" -eq 3 ]]
	echo stray >"$TESTDIR/b/blobs/sha256/$(echo stray | sha256sum | cut -d' ' -f1)"
	lade_ok gc --layout "$TESTDIR/b"
	[[ "$(ls "$TESTDIR/b/blobs/sha256" | sort)" == "$before" ]]
	# The image is still complete (skopeo 1.9.3 itself cannot read a v2s2
	# manifest back from an oci: layout, so lade checks it).
	lade_ok stat --json --image "$TESTDIR/b:t"
	[[ "$(jq -r '.history[0].layer.mediaType' <<<"$output")" == "application/vnd.docker.image.rootfs.diff.tar.gzip" ]]
	image-verify "$TESTDIR/b"
}
