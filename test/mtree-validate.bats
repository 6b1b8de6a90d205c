#!/usr/bin/env bats
# lade raw mtree-validate (hidden): -f/--manifest, -p/--path, -k, -K, --umoci-keywords, --rootless

load helpers

setup_file() {
	build_mkimage
	export GOMTREE="$BATS_FILE_TMPDIR/gomtree"
	# go-mtree's own CLI, from the module lade depends on, as the reference.
	(cd "$LADE_ROOT" && go build -o "$GOMTREE" github.com/vbatts/go-mtree/cmd/gomtree) || rm -f "$GOMTREE"
}

# bundle_of NAME: unpack the small image into $TESTDIR/NAME; sets $rootfs
# and $manifest.
bundle_of() {
	"$MKIMAGE" small "$TESTDIR/img:latest" >&2
	"$LADE" unpack --image "$TESTDIR/img" "$TESTDIR/$1"
	rootfs="$TESTDIR/$1/rootfs"
	manifest="$(echo "$TESTDIR/$1"/sha256_*.mtree)"
}

# agree ARGS...: lade raw mtree-validate and `gomtree validate --strict` give
# the same verdict for ARGS (like umoci, lade counts every delta; gomtree's
# default non-strict mode ignores unexpected/missing paths and keywords
# absent on one side): exit status, and the same paths with the same kind of
# difference (which keyword of a modified path is named first may differ).
agree() {
	local lade_status lade_out
	lade raw mtree-validate "$@"
	lade_status="$status"
	lade_out="$(grep -v '⨯' <<<"$output" || true)"
	[[ -x "$GOMTREE" ]] || return 0
	run "$GOMTREE" validate --strict "$@"
	echo "gomtree validate --strict $* => status $status" >&2
	echo "$output" >&2
	[[ "$(( status != 0 ))" == "$(( lade_status != 0 ))" ]] || fail "lade exit $lade_status, gomtree exit $status"
	[[ "$(grep -v 'level=' <<<"$output" | delta_kinds)" == "$(delta_kinds <<<"$lade_out")" ]] || fail "lade and gomtree differ"
	status="$lade_status"
}

# delta_kinds: reduce delta lines to sorted "PATH KIND" lines.
delta_kinds() {
	sed -E 's/^("[^"]*"): (keyword|unexpected|missing).*/\1 \2/' | sort
}

@test "lade raw mtree-validate of an unchanged tree" {
	bundle_of bundle
	lade_ok raw mtree-validate --manifest "$manifest" --path "$rootfs"
	[[ -z "$output" ]]
	agree -f "$manifest" -p "$rootfs"
	[[ "$status" -eq 0 ]]
	agree --file "$manifest" -p "$rootfs" -K sha256digest
	[[ "$status" -eq 0 ]]
}

@test "lade raw mtree-validate reports differences" {
	bundle_of bundle
	echo changed >>"$rootfs/etc/hostname"
	lade raw mtree-validate -f "$manifest" -p "$rootfs"
	[[ "$status" -eq 1 ]]
	[[ "${lines[0]}" == '"etc/hostname": keyword "size": expected 9; got 17' ]]
	[[ "${lines[1]}" == *"validation failed: 1 differences found" ]]
	agree -f "$manifest" -p "$rootfs"
	[[ "$status" -eq 1 ]]

	touch "$rootfs/zz"
	rm "$rootfs/opt/lib/c"
	lade raw mtree-validate -f "$manifest" -p "$rootfs"
	[[ "$status" -eq 1 ]]
	[[ "$output" == *'"zz": unexpected path'* ]]
	[[ "$output" == *'"opt/lib/c": missing path'* ]]
	[[ "$output" == *"validation failed: 5 differences found" ]] # hostname, zz, c, and the mtimes of . and opt/lib
	agree -f "$manifest" -p "$rootfs"
	[[ "$status" -eq 1 ]]
}

@test "lade raw mtree-validate keyword selection" {
	bundle_of bundle
	# Same size, other content and time: only sha256digest and tar_time see it.
	printf 'small-v3\n' >"$rootfs/etc/hostname"
	agree -f "$manifest" -p "$rootfs"
	[[ "$status" -eq 1 ]]
	agree -f "$manifest" -p "$rootfs" -k size,mode
	[[ "$status" -eq 0 ]]
	agree -f "$manifest" -p "$rootfs" -k "size mode" -K sha256digest
	[[ "$status" -eq 1 ]]
	lade raw mtree-validate -f "$manifest" -p "$rootfs" -k sha256
	[[ "$status" -eq 1 && "$output" == *'keyword "sha256digest"'* ]]

	# --umoci-keywords: a manifest with fewer keywords is checked with all of
	# umoci's, and so differs everywhere (its entries lack the keywords).
	if [[ -x "$GOMTREE" ]]; then
		"$GOMTREE" -c -k size,type -p "$rootfs" >"$TESTDIR/small.mtree"
		agree -f "$TESTDIR/small.mtree" -p "$rootfs" -k size,type
		[[ "$status" -eq 0 ]]
		agree -f "$TESTDIR/small.mtree" -p "$rootfs"
		lade raw mtree-validate -f "$TESTDIR/small.mtree" -p "$rootfs" --umoci-keywords
		[[ "$status" -eq 1 ]]
	fi
}

@test "lade raw mtree-validate --rootless" {
	bundle_of bundle
	lade_ok raw mtree-validate --rootless -f "$manifest" -p "$rootfs"
}

@test "lade raw mtree-validate is hidden" {
	lade_ok raw --help
	[[ "$output" != *"mtree-validate"* ]]
	lade_ok raw mtree-validate --help
	[[ "$output" == *"DESCRIPTION:"* ]]
}

@test "lade raw mtree-validate [invalid arguments]" {
	bundle_of bundle
	lade_fail raw mtree-validate -p "$rootfs"
	[[ "$output" == *"missing mandatory argument: --manifest"* ]]
	lade_fail raw mtree-validate -f "$manifest"
	[[ "$output" == *"missing mandatory argument: --path"* ]]
	lade_fail raw mtree-validate -f "$manifest" -p "$rootfs" extra
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail raw mtree-validate -f "$TESTDIR/nope.mtree" -p "$rootfs"
	lade_fail raw mtree-validate -f "$manifest" -p "$rootfs" -k nosuchkeyword
	[[ "$output" == *"nosuchkeyword"* ]]
}
