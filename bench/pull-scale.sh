#!/usr/bin/env bash
# Pull and unpack in one pass (issue 13 item 4): the at-scale image served
# by a local registry (Debian's docker-registry on 127.0.0.1, plain HTTP,
# storage on the disk), turned into a bundle three ways, side by side:
#   lade-pull       lade unpack --image docker://... --layout NEW BUNDLE
#   lade-copy       lade copy docker://... oci:NEW:scale && lade unpack
#   skopeo-umoci    skopeo copy docker://... oci:NEW:scale && umoci unpack
# Every run writes a new layout and bundle in a fresh directory on the disk
# filesystem, after sync and (as root) a drop of the page cache, so the
# registry's blobs are read cold. Outputs are kept until the end (or until
# free space runs low), for the reason given in bench/bench-scale.sh. The
# medians of REPS runs (default 5) go to stdout and to the pull section of
# bench/results.md.
#
# Env: LADE (default bin/lade), UMOCI (default umoci), SKOPEO (default
# skopeo), MKIMAGE (default bin/mkimage), REPS (default 5), KEEP_GB
# (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."

LADE=${LADE:-bin/lade}
UMOCI=${UMOCI:-umoci}
SKOPEO=${SKOPEO:-skopeo}
MKIMAGE=${MKIMAGE:-bin/mkimage}
REPS=${REPS:-5}
KEEP_GB=${KEEP_GB:-15}
WORK=bench/.work
RESULTS=bench/results.md
start=$SECONDS

die() { echo "bench-pull: $*" >&2; exit 1; }
for tool in "$LADE" "$UMOCI" "$SKOPEO" docker-registry jq; do
	command -v "$tool" >/dev/null || die "$tool not found (build lade with 'make build')"
done
LADE=$(command -v "$LADE")
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: apt-get install time"
go build -o "$MKIMAGE" ./tools/mkimage # quick when up to date

mkdir -p "$WORK"
"$MKIMAGE" scale "$WORK/scale:scale" | tee "$WORK/scale-stats.txt"

BASE=$(mktemp -d "$PWD/$WORK/pull-run.XXXXXX")
PIDS=()
. bench/lib.bash
. bench/registry-lib.bash
cleanup() { stop_registries; remove_outputs "$BASE"; }
trap cleanup EXIT
start_registry reg
REF=docker://$REGISTRY/scale:scale
"$LADE" copy -q --dest-tls-verify=false "oci:$WORK/scale:scale" "$REF"

if [ "$(id -u)" = 0 ]; then MODE="caches dropped"; else MODE="caches kept (not root)"; fi

# The two-step forms run in one shell, timed as a whole (/usr/bin/time
# counts the children's CPU and reports the larger peak RSS).
two_lade='"$1" copy -q --src-tls-verify=false "$2" "oci:$3/layout:scale" && "$1" unpack --image "$3/layout:scale" "$3/bundle"'
two_skopeo='"$1" --insecure-policy copy -q --src-tls-verify=false "$2" "oci:$3/layout:scale" && "$4" unpack --image "$3/layout:scale" "$3/bundle"'
tools=(lade-pull lade-copy skopeo-umoci)
settle
echo "== pull and unpack ($REPS runs each, into $BASE on $(df --output=fstype "$BASE" | tail -1), $MODE)"
for rep in $(seq "$REPS"); do
	for tool in "${tools[@]}"; do
		cold "$BASE/runs"
		case $tool in
		lade-pull) measure "$tool" "$LADE" unpack --tls-verify=false --layout "$OUT/layout" --image "$REF" "$OUT/bundle" ;;
		lade-copy) measure "$tool" bash -c "$two_lade" _ "$LADE" "$REF" "$OUT" ;;
		skopeo-umoci) measure "$tool" bash -c "$two_skopeo" _ "$SKOPEO" "$REF" "$OUT" "$UMOCI" ;;
		esac
	done
done
echo "removing the outputs of $RUNS_DONE runs"
remove_outputs "$BASE/runs"

W() { median "${WALL[$1]}"; }
C() { median "${CPU[$1]}"; }
R() { median "${RSS[$1]}"; }
section=$(
	echo "<!-- bench-pull -->"
	echo "## Pull and unpack in one pass (\`make bench-pull\`)"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, $(uname -r); median of $REPS runs, each into a fresh directory on $(df --output=fstype "$BASE" | tail -1) ($MODE),"
	echo "outputs kept until the end$( [ "$FREED" -gt 0 ] && echo " except $FREED times, when free space ran low"); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "The at-scale image (\`make bench-scale\`) served by Debian's docker-registry on 127.0.0.1 (plain HTTP, storage on disk)."
	echo "lade: \`$LADE\`; skopeo: $("$SKOPEO" --version); umoci: $("$UMOCI" --version)."
	echo
	echo "| command | wall s | user+sys s | peak RSS MiB |"
	echo "|---|---:|---:|---:|"
	echo "| \`lade unpack --image docker://... --layout NEW\` | $(W lade-pull) | $(C lade-pull) | $(R lade-pull) |"
	echo "| \`lade copy docker://... oci:NEW\` + \`lade unpack\` | $(W lade-copy) | $(C lade-copy) | $(R lade-copy) |"
	echo "| \`skopeo copy docker://... oci:NEW\` + \`umoci unpack\` | $(W skopeo-umoci) | $(C skopeo-umoci) | $(R skopeo-umoci) |"
	echo
	echo "| target (issue 13 item 4) | limit | measured | met |"
	echo "|---|---:|---:|:---:|"
	target "one pass / lade copy + unpack, run by run" 0.85 "$(paired lade-pull lade-copy)" 1
	target "one pass / skopeo copy + umoci unpack, run by run" 0.35 "$(paired lade-pull skopeo-umoci)" 1
	echo
	echo "Run by run: the median of the $REPS ratios of runs made back to back (ratios of the medians above: $(ratio "$(W lade-pull)" "$(W lade-copy)"), $(ratio "$(W lade-pull)" "$(W skopeo-umoci)"))."
	echo "<!-- /bench-pull -->"
)
if [ -f "$RESULTS" ] && grep -q '^<!-- bench-pull -->' "$RESULTS"; then
	awk -v s="$section" '/^<!-- bench-pull -->/ { print s; skip = 1; next } /^<!-- \/bench-pull -->/ { skip = 0; next } !skip' "$RESULTS" >"$BASE/results"
else
	{ [ -f "$RESULTS" ] && cat "$RESULTS" && echo; echo "$section"; } >"$BASE/results"
fi
cp "$BASE/results" "$RESULTS"
echo
echo "$section"
echo
echo "bench-pull: done in $((SECONDS - start))s; results in $RESULTS"
