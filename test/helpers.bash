#!/bin/bash
# Shared helpers for lade's bats tests. Each .bats file does:
#   load helpers
# and gets $LADE (the binary under test), a per-test temp dir, the `lade`
# wrapper, image builders and checks.

bats_require_minimum_version 1.5.0

LADE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The binary under test. `make test-bats` passes it; otherwise build one.
: "${LADE:=$LADE_ROOT/bin/lade}"
export LADE
# The example layout written by umoci (tags "blank" and "demo") and its
# reference stat outputs.
EXAMPLES="$LADE_ROOT/cmd/lade/testdata"

# Built as `make build` builds it, when missing.
if [[ ! -x "$LADE" ]]; then
	(cd "$LADE_ROOT" && CGO_ENABLED=0 go build -tags urfave_cli_no_docs -o "$LADE" ./cmd/lade) >&2
fi
# The build with the man page generator (`make mangen`), for test/man.bats;
# built there when missing.
: "${LADE_MANGEN:=$LADE_ROOT/bin/lade-mangen}"
export LADE_MANGEN

setup() {
	TESTDIR="$BATS_TEST_TMPDIR"
	# Keep SOURCE_DATE_EPOCH out of tests that do not set it themselves, or
	# set it for every test of a file that sets FILE_SOURCE_DATE_EPOCH.
	unset SOURCE_DATE_EPOCH
	if [[ -n "${FILE_SOURCE_DATE_EPOCH:-}" ]]; then
		export SOURCE_DATE_EPOCH="$FILE_SOURCE_DATE_EPOCH"
	fi
}

# lade ARGS...: run the binary under test with bats' `run` (sets $status,
# $output, $lines). Use `run -0`/`run -1` style checks with lade_ok/lade_fail.
lade() {
	run "$LADE" "$@"
	echo "lade $* => status $status" >&2
	echo "$output" >&2
}

# lade_ok ARGS...: run lade and require success.
lade_ok() {
	lade "$@"
	[[ "$status" -eq 0 ]] || fail "lade $* failed with status $status: $output"
}

# lade_fail ARGS...: run lade and require exit status 1 with exactly one
# line of error output (no panic, no usage dump).
lade_fail() {
	lade "$@"
	[[ "$status" -eq 1 ]] || fail "lade $* exited $status, want 1: $output"
	[[ "${#lines[@]}" -eq 1 ]] || fail "lade $* printed ${#lines[@]} lines, want 1: $output"
	[[ "${lines[0]}" == "   ⨯ "* ]] || fail "lade $* error line is not an error: ${lines[0]}"
}

# fail MESSAGE: fail the current test.
fail() {
	echo "$*" >&2
	return 1
}

# requires WHAT...: skip the test unless every requirement holds. WHAT is
# "root", "rootless" (not root) or the name of a command.
requires() {
	local req
	for req in "$@"; do
		case "$req" in
		root) [[ "$(id -u)" -eq 0 ]] || skip "test requires root" ;;
		rootless) [[ "$(id -u)" -ne 0 ]] || skip "test requires a non-root user" ;;
		*) command -v "$req" >/dev/null 2>&1 || skip "test requires $req" ;;
		esac
	done
}

# new_layout NAME: create an empty layout $TESTDIR/NAME with lade init and
# print its path.
new_layout() {
	local path="$TESTDIR/$1"
	"$LADE" init --layout "$path" >&2
	echo "$path"
}

# new_image LAYOUT TAG: add a blank image tagged TAG (creating the layout if
# missing).
new_image() {
	[[ -d "$1" ]] || "$LADE" init --layout "$1"
	"$LADE" new --image "$1:$2"
}

# copy_example NAME: copy the example umoci layout to $TESTDIR/NAME and
# print its path.
copy_example() {
	local path="$TESTDIR/$1"
	cp -r "$EXAMPLES/umoci-layout" "$path"
	chmod -R u+w "$path"
	echo "$path"
}

# umoci_image LAYOUT TAG: build a one-layer image with Debian's umoci (for
# interop tests; works as root and unprivileged).
umoci_image() {
	local layout="$1" tag="$2"
	[[ -d "$layout" ]] || umoci init --layout "$layout"
	umoci new --image "$layout:$tag"
	echo "hello from $tag" >"$TESTDIR/hello-$tag"
	umoci insert --rootless --image "$layout:$tag" "$TESTDIR/hello-$tag" /hello
}

# tags LAYOUT: print the tags of LAYOUT as one space-separated line.
tags() {
	"$LADE" ls --layout "$1" | paste -sd' ' -
}

# image-verify LAYOUT: check the layout's invariants: oci-layout version,
# index.json is valid JSON with a manifests array (jq), every blob's name is
# its sha256, and lade can ls it and stat (text and JSON) every tag that
# points at an image manifest.
image-verify() {
	local layout="$1" blob tag mt
	jq -e '.imageLayoutVersion == "1.0.0"' "$layout/oci-layout" >/dev/null ||
		fail "$layout: bad oci-layout"
	jq -e '.schemaVersion == 2 and (.manifests | type == "array")' "$layout/index.json" >/dev/null ||
		fail "$layout: bad index.json: $(cat "$layout/index.json")"
	for blob in "$layout"/blobs/sha256/*; do
		[[ -e "$blob" ]] || continue
		[[ "$(sha256sum <"$blob" | cut -d' ' -f1)" == "$(basename "$blob")" ]] ||
			fail "$layout: blob $(basename "$blob") does not match its digest"
	done
	"$LADE" ls --layout "$layout" >/dev/null || fail "$layout: lade ls failed"
	while IFS=$'\t' read -r tag mt; do
		[[ "$mt" == "application/vnd.oci.image.manifest.v1+json" ]] || continue
		"$LADE" stat --image "$layout:$tag" >/dev/null || fail "$layout: lade stat $tag failed"
		"$LADE" stat --json --image "$layout:$tag" | jq -e '.manifest.descriptor.digest' >/dev/null ||
			fail "$layout: lade stat --json $tag failed"
	done < <(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]) |
		[.annotations["org.opencontainers.image.ref.name"], .mediaType] | @tsv' "$layout/index.json")
}

# host_arch: the GOARCH of the host (what lade new writes).
host_arch() {
	go env GOARCH 2>/dev/null || dpkg --print-architecture
}

# build_mkimage: build tools/mkimage (the offline test-image writer) once per
# bats file into $MKIMAGE. Call it from setup_file.
build_mkimage() {
	export MKIMAGE="$BATS_FILE_TMPDIR/mkimage"
	(cd "$LADE_ROOT" && go build -o "$MKIMAGE" ./tools/mkimage)
}

# small_image NAME: write the three-layer "small" test image (whiteouts, an
# opaque directory, hardlinks, symlinks, setuid, owners) as NAME:latest
# under $TESTDIR and print the layout path. Needs build_mkimage.
small_image() {
	"$MKIMAGE" small "$TESTDIR/$1:latest" >&2
	echo "$TESTDIR/$1"
}
