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
