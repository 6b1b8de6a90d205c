#!/usr/bin/env bats
# A repack, insert or config killed with SIGKILL at a random moment leaves
# the layout valid. (cmd/lade's TestCrashLeavesLayoutValid runs the same
# loop 30 times and checks with oci/validate.)

load helpers

# reachable_blobs_ok LAYOUT: every manifest, config and layer reachable from
# index.json exists and matches its digest.
reachable_blobs_ok() {
	local layout="$1" m d
	jq -e . "$layout/index.json" >/dev/null || fail "index.json does not parse"
	for m in $(jq -r '.manifests[].digest' "$layout/index.json"); do
		for d in "$m" $(jq -r '.config.digest, .layers[].digest' "$layout/blobs/sha256/${m#sha256:}"); do
			[[ -f "$layout/blobs/sha256/${d#sha256:}" ]] || fail "missing blob $d"
			[[ "$(sha256sum <"$layout/blobs/sha256/${d#sha256:}" | cut -d' ' -f1)" == "${d#sha256:}" ]] ||
				fail "blob $d does not match its digest"
		done
	done
}

@test "killing repack, insert or config leaves the layout valid" {
	base="$(new_layout base)"
	new_image "$base" t
	mkdir -p "$TESTDIR/src"
	for i in $(seq 1 100); do echo "$i" >"$TESTDIR/src/f$i"; done
	"$LADE" insert --image "$base:t" "$TESTDIR/src" /src
	"$LADE" unpack --image "$base:t" "$TESTDIR/bundle"
	head -c 8000000 /dev/urandom >"$TESTDIR/bundle/rootfs/big"
	cp -r "$TESTDIR/src" "$TESTDIR/bundle/rootfs/src2"
	for i in $(seq 0 14); do
		rm -rf "$TESTDIR/run" && cp -r "$base" "$TESTDIR/run"
		case $((i % 3)) in
		0) "$LADE" repack --image "$TESTDIR/run:out" "$TESTDIR/bundle" & ;;
		1) "$LADE" insert --image "$TESTDIR/run:t" "$TESTDIR/bundle/rootfs" /copy & ;;
		2) "$LADE" config --image "$TESTDIR/run:t" --config.env A=B & ;;
		esac
		pid=$!
		sleep "$(printf '0.%03d' $((RANDOM % 300)))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		reachable_blobs_ok "$TESTDIR/run"
		"$LADE" ls --layout "$TESTDIR/run" >/dev/null || fail "run $i: ls failed"
		"$LADE" stat --image "$TESTDIR/run:t" >/dev/null || fail "run $i: stat t failed"
	done
}

@test "killing copy leaves every destination valid or as it was" {
	src="$(new_layout src)"
	new_image "$src" t
	mkdir -p "$TESTDIR/data"
	for i in 1 2 3; do head -c 6000000 /dev/urandom >"$TESTDIR/data/f$i"; done
	for i in 1 2 3; do "$LADE" insert --compress-level 1 --image "$src:t" "$TESTDIR/data/f$i" "/f$i"; done
	new_image "$TESTDIR/dst" old
	"$LADE" copy "oci:$src:t" "oci-archive:$TESTDIR/a.tar:old"
	"$LADE" copy "oci:$src:t" "dir:$TESTDIR/d"
	archive_sum="$(sha256sum <"$TESTDIR/a.tar")"
	for i in $(seq 0 11); do
		case $((i % 4)) in
		0) "$LADE" copy "oci:$src:t" "oci:$TESTDIR/dst:new" & ;;
		1) "$LADE" copy "oci:$src:t" "oci-archive:$TESTDIR/a.tar:new" & ;;
		2) "$LADE" copy --format v2s2 "oci:$src:t" "dir:$TESTDIR/d" & ;;
		3) "$LADE" copy "oci:$src:t" "oci:$TESTDIR/fresh-$i:t" & ;;
		esac
		pid=$!
		sleep "$(printf '0.%03d' $((RANDOM % 250)))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		reachable_blobs_ok "$TESTDIR/dst"
		"$LADE" stat --image "$TESTDIR/dst:old" >/dev/null || fail "run $i: the old tag is gone"
		# The archive is the old one or a complete new one.
		if [[ "$(sha256sum <"$TESTDIR/a.tar")" != "$archive_sum" ]]; then
			"$LADE" stat --image "$TESTDIR/a.tar:new" >/dev/null || fail "run $i: archive is neither old nor new"
			"$LADE" copy "oci:$src:t" "oci-archive:$TESTDIR/a.tar:old"
			archive_sum="$(sha256sum <"$TESTDIR/a.tar")"
		fi
		# dir: holds an image that reads back whole, old or new.
		"$LADE" inspect "dir:$TESTDIR/d" >/dev/null || fail "run $i: dir: is broken"
		"$LADE" copy "dir:$TESTDIR/d" "oci:$TESTDIR/check:c$i" >/dev/null || fail "run $i: dir: does not copy back"
		# A layout the killed copy was creating is absent, or valid.
		if [[ -e "$TESTDIR/fresh-$i/index.json" ]]; then reachable_blobs_ok "$TESTDIR/fresh-$i"; fi
	done
	# gc cleans up after the killed copies.
	"$LADE" gc --layout "$TESTDIR/dst"
	reachable_blobs_ok "$TESTDIR/dst"
	# So does the next copy to each destination, for what they left there.
	"$LADE" copy "oci:$src:t" "oci-archive:$TESTDIR/a.tar:new"
	"$LADE" copy "oci:$src:t" "dir:$TESTDIR/d"
	for f in "$TESTDIR"/fresh-*; do
		"$LADE" copy "oci:$src:t" "oci:$f:t"
	done
	"$LADE" copy "oci:$src:t" "oci:$TESTDIR/fresh-last:t"
	left="$(find "$TESTDIR" -name '.lade-tmp-*')"
	[[ -z "$left" ]] || fail "left behind: $left"
}
