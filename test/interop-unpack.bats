#!/usr/bin/env bats
# lade unpack against Debian's umoci 0.4.7 unpack/repack on the same images.

load helpers

test_start="$(($(date +%s) - 5))"

setup_file() {
	build_mkimage
}

# config_norm FILE: config.json without the known 0.4.7 / HEAD differences
# (umoci-behaviour.md §4, §5): ociVersion, the cgroup namespace, the empty
# annotations 0.4.7 keeps (HEAD deletes them), the variant annotation (HEAD
# only) and, in rootless mode, the host's locked mount flags HEAD copies to
# the /etc/resolv.conf bind. The test images have
# no labels that collide with generated annotations and no HOME in Env.
config_norm() {
	jq -S 'del(.ociVersion) | .linux.namespaces |= map(select(.type != "cgroup"))
		| .annotations |= with_entries(select(.value != ""))
		| del(.annotations["org.opencontainers.image.variant"])
		| .mounts |= map(if .destination == "/etc/resolv.conf" then .options = ["rbind", "ro"] else . end)' "$1"
}

# validate_cross A B: each bundle's rootfs validates against the other's
# mtree manifest. Tolerated: tar_time of directories that no layer has an
# entry for (both tools give them the extraction time, so only the second
# may differ) and of the rootfs root, which 0.4.7 sometimes leaves at the
# extraction time while HEAD and lade keep it at the epoch.
validate_cross() {
	local a="$1" b="$2" out line re='^"(.*)": keyword "tar_time": expected ([0-9]+)\.0+; got ([0-9]+)\.0+$'
	for pair in "$a $b" "$b $a"; do
		set -- $pair
		out="$("$LADE" raw mtree-validate -f "$(echo "$1"/sha256_*.mtree)" -p "$2/rootfs" 2>/dev/null || true)"
		while IFS= read -r line; do
			[[ -n "$line" ]] || continue
			if [[ "$line" =~ $re ]]; then
				local exp="${BASH_REMATCH[2]}" got="${BASH_REMATCH[3]}"
				if [[ "${BASH_REMATCH[1]}" == "." && ("$exp" == 0 || "$got" == 0) ]]; then
					continue
				fi
				if ((exp >= test_start && got >= test_start)); then
					continue
				fi
			fi
			fail "$2/rootfs does not match $1's manifest: $line"
		done <<<"$out"
	done
}

@test "lade unpack and umoci unpack give the same bundle" {
	requires umoci
	for kind in small busybox; do
		[[ "$kind" == busybox && ! -x /bin/busybox ]] && continue
		"$MKIMAGE" "$kind" "$TESTDIR/$kind:latest" >&2
		lade_ok unpack --image "$TESTDIR/$kind" "$TESTDIR/$kind-lade"
		umoci unpack --image "$TESTDIR/$kind" "$TESTDIR/$kind-umoci"
		validate_cross "$TESTDIR/$kind-lade" "$TESTDIR/$kind-umoci"
		diff -u <(config_norm "$TESTDIR/$kind-umoci/config.json") <(config_norm "$TESTDIR/$kind-lade/config.json")
		# umoci.json: same but for 0.4.7's whiteout_mode.
		diff <(jq -S 'del(.whiteout_mode)' "$TESTDIR/$kind-umoci/umoci.json") <(jq -S . "$TESTDIR/$kind-lade/umoci.json")
		# The mtree bodies are identical (header comments aside), but for
		# the directory times validate_cross tolerates.
		diff <(grep -v '^#' "$TESTDIR/$kind-umoci"/sha256_*.mtree | sed -E "s/tar_time=${test_start:0:5}[0-9]{5}\\.0+/tar_time=NOW/; /^\\. /d") \
			<(grep -v '^#' "$TESTDIR/$kind-lade"/sha256_*.mtree | sed -E "s/tar_time=${test_start:0:5}[0-9]{5}\\.0+/tar_time=NOW/; /^\\. /d")
	done
}

@test "lade unpack matches umoci on an umoci-built image" {
	requires umoci
	layout="$(copy_example img)"
	lade_ok unpack --image "$layout:demo" "$TESTDIR/lade"
	umoci unpack --image "$layout:demo" "$TESTDIR/umoci"
	validate_cross "$TESTDIR/lade" "$TESTDIR/umoci"
	diff -u <(config_norm "$TESTDIR/umoci/config.json") <(config_norm "$TESTDIR/lade/config.json")
}

@test "lade unpack --rootless matches umoci unpack --rootless" {
	requires umoci
	"$MKIMAGE" small "$TESTDIR/img:latest" >&2
	lade_ok unpack --rootless --image "$TESTDIR/img" "$TESTDIR/lade"
	umoci unpack --rootless --image "$TESTDIR/img" "$TESTDIR/umoci"
	validate_cross "$TESTDIR/lade" "$TESTDIR/umoci"
	diff -u <(config_norm "$TESTDIR/umoci/config.json") <(config_norm "$TESTDIR/lade/config.json")
	diff <(jq -S 'del(.whiteout_mode)' "$TESTDIR/umoci/umoci.json") <(jq -S . "$TESTDIR/lade/umoci.json")
}

@test "umoci repack accepts a bundle lade unpacked" {
	requires umoci
	"$MKIMAGE" small "$TESTDIR/img:latest" >&2
	lade_ok unpack --image "$TESTDIR/img" "$TESTDIR/bundle"
	echo added >"$TESTDIR/bundle/rootfs/added"
	rm "$TESTDIR/bundle/rootfs/etc/os-release"
	umoci repack --image "$TESTDIR/img:repacked" "$TESTDIR/bundle"
	image-verify "$TESTDIR/img"
	# The new layer holds exactly the changes.
	manifest="$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "repacked") | .digest' \
		"$TESTDIR/img/index.json" | cut -d: -f2)"
	[[ "$(jq '.layers | length' "$TESTDIR/img/blobs/sha256/$manifest")" == 4 ]]
	layer="$(jq -r '.layers[-1].digest' "$TESTDIR/img/blobs/sha256/$manifest" | cut -d: -f2)"
	run -0 tar -tzf "$TESTDIR/img/blobs/sha256/$layer"
	[[ "$output" == *"added"* && "$output" == *"etc/.wh.os-release"* ]]
	# And lade unpacks the result.
	lade_ok unpack --image "$TESTDIR/img:repacked" "$TESTDIR/again"
	[[ "$(cat "$TESTDIR/again/rootfs/added")" == added && ! -e "$TESTDIR/again/rootfs/etc/os-release" ]]
}

@test "lade raw mtree-validate accepts a bundle umoci unpacked" {
	requires umoci
	"$MKIMAGE" small "$TESTDIR/img:latest" >&2
	umoci unpack --image "$TESTDIR/img" "$TESTDIR/bundle"
	lade_ok raw mtree-validate -f "$(echo "$TESTDIR/bundle"/sha256_*.mtree)" -p "$TESTDIR/bundle/rootfs"
	echo x >>"$TESTDIR/bundle/rootfs/etc/hostname"
	lade raw mtree-validate -f "$(echo "$TESTDIR/bundle"/sha256_*.mtree)" -p "$TESTDIR/bundle/rootfs"
	[[ "$status" -eq 1 && "$output" == *'"etc/hostname"'* ]]
}
