#!/usr/bin/env bats
# lade raw add-layer --image PATH[:TAG] [--tag NEW] [--compress C] [history] LAYER.tar

load helpers

blob() { echo "$1/blobs/sha256/${2#sha256:}"; }
manifest_of() {
	blob "$1" "$(jq -r --arg t "$2" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$1/index.json")"
}
config_of() { blob "$1" "$(jq -r .config.digest "$(manifest_of "$1" "$2")")"; }

make_tar() {
	mkdir -p "$TESTDIR/src/etc"
	echo hi >"$TESTDIR/src/etc/hi"
	touch "$TESTDIR/src/etc/.wh.gone"
	tar --sort=name --mtime=@1000000000 --owner=0 --group=0 -cf "$TESTDIR/l.tar" -C "$TESTDIR/src" etc
}

@test "lade raw add-layer appends a tar as it is" {
	make_tar
	layout="$TESTDIR/img"
	new_image "$layout" t
	"$LADE" config --image "$layout:t" --author someone
	lade_ok raw add-layer --image "$layout:t" "$TESTDIR/l.tar"
	[[ -z "$output" ]]
	image-verify "$layout"
	cfg="$(config_of "$layout" t)"
	[[ "$(jq -r '.rootfs.diff_ids[0]' "$cfg")" == "sha256:$(sha256sum <"$TESTDIR/l.tar" | cut -d' ' -f1)" ]]
	run -0 jq -r '.history[-1] | [.created_by, .author, (.empty_layer // false)] | @tsv' "$cfg"
	[[ "$output" == $'umoci raw add-layer\tsomeone\tfalse' ]]
	m="$(manifest_of "$layout" t)"
	[[ "$(jq -r '.layers[0].mediaType' "$m")" == application/vnd.oci.image.layer.v1.tar+gzip ]]
	gzip -dc <"$(blob "$layout" "$(jq -r '.layers[0].digest' "$m")")" | cmp - "$TESTDIR/l.tar"
}

@test "lade raw add-layer decompresses gzip and zstd input (no double compression)" {
	requires zstd
	make_tar
	gzip -k "$TESTDIR/l.tar"
	zstd -q "$TESTDIR/l.tar" -o "$TESTDIR/l.tar.zst"
	want="sha256:$(sha256sum <"$TESTDIR/l.tar" | cut -d' ' -f1)"
	layout="$TESTDIR/img"
	new_image "$layout" t
	for f in l.tar.gz l.tar.zst; do
		lade_ok raw add-layer --image "$layout:t" --tag "$f" --compress none "$TESTDIR/$f"
		m="$(manifest_of "$layout" "$f")"
		[[ "$(jq -r '.layers[-1].mediaType' "$m")" == application/vnd.oci.image.layer.v1.tar ]]
		[[ "$(jq -r '.layers[-1].digest' "$m")" == "$want" ]]
		[[ "$(jq -r '.rootfs.diff_ids[-1]' "$(config_of "$layout" "$f")")" == "$want" ]]
	done
	image-verify "$layout"
}

@test "lade raw add-layer refuses what is not a usable tar" {
	make_tar
	layout="$TESTDIR/img"
	new_image "$layout" t
	bzip2 -k "$TESTDIR/l.tar"
	lade_fail raw add-layer --image "$layout:t" "$TESTDIR/l.tar.bz2"
	[[ "$output" == *bzip2* ]]
	if command -v xz >/dev/null; then
		xz -k "$TESTDIR/l.tar"
		lade_fail raw add-layer --image "$layout:t" "$TESTDIR/l.tar.xz"
		[[ "$output" == *xz* ]]
	fi
	echo "just some text" >"$TESTDIR/text"
	lade_fail raw add-layer --image "$layout:t" "$TESTDIR/text"
	[[ "$output" == *"not a tar archive"* ]]
	: >"$TESTDIR/empty"
	lade_fail raw add-layer --image "$layout:t" "$TESTDIR/empty"
	echo "not gzip inside" | gzip >"$TESTDIR/text.gz"
	lade_fail raw add-layer --image "$layout:t" "$TESTDIR/text.gz"
	lade_fail raw add-layer --image "$layout:t" "$TESTDIR/missing.tar"
	lade_fail raw add-layer --image "$layout:t"
	lade_fail raw add-layer --image "$layout:t" --compress lz4 "$TESTDIR/l.tar"
	[[ "$(jq '.layers | length' "$(manifest_of "$layout" t)")" == 0 ]]
	image-verify "$layout"
}
