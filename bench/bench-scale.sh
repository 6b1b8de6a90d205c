#!/usr/bin/env bash
# lade vs umoci vs tar -xzf: unpack of the at-scale image (files of this
# machine, >= 1.2 GB and 80,000 entries in 8 gzip layers) and of the same
# recipe at a third of the size, into a fresh directory on the disk
# filesystem. Before every run dirty data is synced and (as root) the page
# cache is dropped, so every tool starts cold, as a fresh unpack does.
# Outputs are kept until the end (or until free space runs low): ext4
# scans recently freed inodes when it allocates new ones, so an unpack
# right after removing the last one's 90,000 files measures that scan, not
# the tool (it doubled the system time of every tool here). Runs of the
# tools alternate within each repetition; the median of REPS runs
# (default 5) is reported. Results go to stdout and to the at-scale
# section of bench/results.md.
#
# Env: LADE (default bin/lade), UMOCI (default umoci), MKIMAGE (default
# bin/mkimage), REPS (default 5), PIGZ=1 adds `pigz -dc | tar -x`.
set -euo pipefail
cd "$(dirname "$0")/.."

LADE=${LADE:-bin/lade}
UMOCI=${UMOCI:-umoci}
MKIMAGE=${MKIMAGE:-bin/mkimage}
REPS=${REPS:-5}
PIGZ=${PIGZ:-0}
WORK=bench/.work
RESULTS=bench/results.md
start=$SECONDS

die() { echo "bench-scale: $*" >&2; exit 1; }
for tool in "$LADE" "$UMOCI" tar jq; do
	command -v "$tool" >/dev/null || die "$tool not found (build lade with 'make build')"
done
[ "$PIGZ" = 0 ] || command -v pigz >/dev/null || die "pigz not found"
LADE=$(command -v "$LADE")
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: apt-get install time"
go build -o "$MKIMAGE" ./tools/mkimage # quick when up to date

mkdir -p "$WORK"
"$MKIMAGE" scale "$WORK/scale:scale" | tee "$WORK/scale-stats.txt"
"$MKIMAGE" scale "$WORK/scale3:scale" 3 | tee "$WORK/scale3-stats.txt"

layers() { # LAYOUT: the layer blobs of tag "scale", in order
	local man
	man=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "scale") | .digest' "$1/index.json")
	jq -r '.layers[].digest | sub("sha256:"; "")' "$1/blobs/sha256/${man#sha256:}" | sed "s|^|$1/blobs/sha256/|"
}

RUN=$WORK/scale-run
BASE=$(mktemp -d)
. bench/lib.bash
trap 'remove_outputs "$RUN"; rm -rf "$BASE"' EXIT
if [ "$(id -u)" = 0 ]; then MODE="caches dropped"; else MODE="caches kept (not root)"; fi
KEEP_GB=${KEEP_GB:-15} # free space to keep on the filesystem, in GiB

tools=(lade umoci tar)
[ "$PIGZ" = 0 ] || tools+=(pigz)
settle
echo "== unpack at scale ($REPS runs each, into $RUN on $(df --output=fstype "$WORK" | tail -1), $MODE)"
for rep in $(seq "$REPS"); do
	for size in scale scale3; do
		mapfile -t LAYERS < <(layers "$WORK/$size")
		for tool in "${tools[@]}"; do
			cold "$RUN"
			case $tool in
			lade) measure "$size-lade" "$LADE" unpack --image "$WORK/$size:scale" "$OUT/bundle" ;;
			umoci) measure "$size-umoci" "$UMOCI" unpack --image "$WORK/$size:scale" "$OUT/bundle" ;;
			tar) measure "$size-tar" bash -c 'r=$1; shift; mkdir -p "$r"; for b; do tar -xzf "$b" -C "$r" || exit; done' _ "$OUT/rootfs" "${LAYERS[@]}" ;;
			pigz) measure "$size-pigz" bash -c 'set -o pipefail; r=$1; shift; mkdir -p "$r"; for b; do pigz -dc "$b" | tar -x -C "$r" || exit; done' _ "$OUT/rootfs" "${LAYERS[@]}" ;;
			esac
		done
	done
done
echo "removing the outputs of $RUNS_DONE runs"
remove_outputs "$RUN"

W() { median "${WALL[$1]}"; }
C() { median "${CPU[$1]}"; }
R() { median "${RSS[$1]}"; }
section=$(
	echo "<!-- bench-scale -->"
	echo "## Unpack at scale (\`make bench-scale\`)"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, $(uname -r); median of $REPS runs, each into a fresh directory on $(df --output=fstype "$WORK" | tail -1) ($MODE),"
	echo "outputs kept until the end$( [ "$FREED" -gt 0 ] && echo " except $FREED times, when free space ran low") (see bench/bench-scale.sh); load average at the end $(cut -d' ' -f1-3 /proc/loadavg);"
	echo "lade: \`$LADE\`; umoci: $("$UMOCI" --version)."
	echo
	sed 's/^/    /' "$WORK/scale-stats.txt" "$WORK/scale3-stats.txt"
	echo
	echo "| image | tool | wall s | user+sys s | peak RSS MiB |"
	echo "|---|---|---:|---:|---:|"
	for size in scale scale3; do
		for t in "${tools[@]}"; do echo "| $size | $t | $(W "$size-$t") | $(C "$size-$t") | $(R "$size-$t") |"; done
	done
	echo
	for size in scale scale3; do
		echo "$size: lade/tar wall $(ratio "$(W "$size-lade")" "$(W "$size-tar")") (run by run: $(ratio "$(paired "$size-lade" "$size-tar")" 1)), lade/umoci wall $(ratio "$(W "$size-lade")" "$(W "$size-umoci")") (run by run: $(ratio "$(paired "$size-lade" "$size-umoci")" 1)), lade/umoci RSS $(ratio "$(R "$size-lade")" "$(R "$size-umoci")")."
	done
	echo "Ratios are of the medians above, and in brackets the median of the $REPS run-by-run ratios (each lade run against the other tool's run of the same repetition, under the same load); the targets use the latter."
	echo "Peak RSS from the third-size image to the full one: lade $(R scale3-lade) -> $(R scale-lade) MiB, umoci $(R scale3-umoci) -> $(R scale-umoci) MiB."
	echo "tar is \`tar -xzf\` of the layer blobs in order (gzip in a second process): no whiteouts, digests, mtree nor config.json."
	echo
	echo "| target (issue 13 item 2) | limit | measured | met |"
	echo "|---|---:|---:|:---:|"
	target "unpack wall lade/tar, run by run" 0.90 "$(paired scale-lade scale-tar)" 1
	target "unpack wall lade/umoci, run by run" 0.35 "$(paired scale-lade scale-umoci)" 1
	target "peak RSS lade/umoci" 1.00 "$(R scale-lade)" "$(R scale-umoci)"
	echo "<!-- /bench-scale -->"
)
# Replace the at-scale section of the results, keeping the rest.
if [ -f "$RESULTS" ] && grep -q '^<!-- bench-scale -->' "$RESULTS"; then
	awk -v s="$section" '/^<!-- bench-scale -->/ { print s; skip = 1; next } /^<!-- \/bench-scale -->/ { skip = 0; next } !skip' "$RESULTS" >"$BASE/results"
else
	{ [ -f "$RESULTS" ] && cat "$RESULTS" && echo; echo "$section"; } >"$BASE/results"
fi
cp "$BASE/results" "$RESULTS"
echo
echo "$section"
echo
echo "bench-scale: done in $((SECONDS - start))s; results in $RESULTS"
