#!/usr/bin/env bash
# lade vs umoci (and tar for unpack), side by side on the bench image.
# Each run writes to a fresh tmpfs (a new mount per run as root, otherwise a
# fresh directory under /dev/shm), is repeated $REPS times, and the median of
# each metric (wall, user+sys CPU, peak RSS) is reported. Results go to
# stdout and to bench/results.md.
#
# Env: LADE (default bin/lade; LADE=umoci makes a dry run of the harness),
# UMOCI (default umoci), MKIMAGE (default bin/mkimage), REPS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."

LADE=${LADE:-bin/lade}
UMOCI=${UMOCI:-umoci}
MKIMAGE=${MKIMAGE:-bin/mkimage}
REPS=${REPS:-3}
WORK=bench/.work
IMG=$WORK/image
TAG=bench
RESULTS=bench/results.md
start=$SECONDS

die() { echo "bench: $*" >&2; exit 1; }
for tool in "$LADE" "$UMOCI" tar jq hyperfine sha256sum; do
	command -v "$tool" >/dev/null || die "$tool not found (build lade with 'make build', or run with LADE=umoci)"
done
LADE=$(command -v "$LADE")
if [ ! -x /usr/bin/time ]; then
	[ "$(id -u)" = 0 ] || die "/usr/bin/time is missing: apt-get install time"
	apt-get install -y -qq time >/dev/null || die "cannot install time"
fi
[ -x "$MKIMAGE" ] || go build -o "$MKIMAGE" ./tools/mkimage

mkdir -p "$WORK"
"$MKIMAGE" bench "$IMG:$TAG" | tee "$WORK/image-stats.txt"
[ -f "$WORK/big200/d000/f00000" ] || { rm -rf "$WORK/big200"; "$MKIMAGE" tree "$WORK/big200" 1 209715200 >/dev/null; }
[ -f "$WORK/insert-src/.done" ] || { rm -rf "$WORK/insert-src"; "$MKIMAGE" tree "$WORK/insert-src" 5000 104857600 >/dev/null && touch "$WORK/insert-src/.done"; }

man=$(jq -r --arg t "$TAG" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$IMG/index.json")
mapfile -t LAYERS < <(jq -r '.layers[].digest | sub("sha256:"; "")' "$IMG/blobs/sha256/${man#sha256:}" | sed "s|^|$IMG/blobs/sha256/|")
cat "$IMG"/blobs/sha256/* "$WORK/big200/d000/f00000" >/dev/null # warm the page cache

# --- scratch space: one fresh tmpfs per run ---------------------------------
BASE=$(mktemp -d /tmp/lade-bench.XXXXXX)
SCRATCH=""
if [ "$(id -u)" = 0 ]; then MODE="a new tmpfs mount per run"; else MODE="a fresh directory in /dev/shm per run"; fi
fresh() {
	SCRATCH=$BASE/run
	if [ "$(id -u)" = 0 ]; then
		mkdir -p "$SCRATCH" && mount -t tmpfs -o size=8g,mode=0755 lade-bench "$SCRATCH"
	else
		SCRATCH=$(mktemp -d /dev/shm/lade-bench.XXXXXX)
	fi
}
drop() {
	[ -n "$SCRATCH" ] || return 0
	if mountpoint -q "$SCRATCH"; then umount "$SCRATCH"; else rm -rf "$SCRATCH"; fi
	SCRATCH=""
}
trap 'drop; rm -rf "$BASE"' EXIT

# --- measurement --------------------------------------------------------------
. bench/lib.bash
declare -A LAYER_SIZE
last_layer_size() { # LABEL LAYOUT TAG: remember the size of the tag's last layer blob
	local m
	m=$(jq -r --arg t "$3" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$2/index.json")
	LAYER_SIZE[$1]=$(jq -r '.layers[-1].size' "$2/blobs/sha256/${m#sha256:}")
}

# --- unpack ---------------------------------------------------------------------
echo "== unpack ($REPS runs each, $MODE)"
for rep in $(seq "$REPS"); do
	for tool in lade umoci tar; do
		fresh
		case $tool in
		lade) measure unpack-lade "$LADE" unpack --image "$IMG:$TAG" "$SCRATCH/bundle" ;;
		umoci) measure unpack-umoci "$UMOCI" unpack --image "$IMG:$TAG" "$SCRATCH/bundle" ;;
		tar) measure unpack-tar bash -c 'r=$1; shift; mkdir -p "$r"; for b; do tar -xzf "$b" -C "$r" || exit; done' _ "$SCRATCH/rootfs" "${LAYERS[@]}" ;;
		esac
		drop
	done
done

# --- repack and insert ----------------------------------------------------------
# Each repack starts from a bundle as its tool leaves it after unpack. lade's
# is unpacked afresh (not timed): its stat cache trusts a file's digest only
# while inode and ctime are unchanged, which `cp -a` changes, so a copy would
# measure a cold cache instead of repack-after-unpack. umoci keeps no such
# state (it re-hashes every file on every repack), so a `cp -a` copy of its
# bundle is equivalent to a fresh unpack and much quicker to make.
fresh_bundle() { # TOOL BIN: make $SCRATCH/b
	if [ "$1" = lade ] && [ "$(basename "$2")" != umoci ]; then
		"$2" unpack --image "$SCRATCH/layout:$TAG" "$SCRATCH/b" >/dev/null
	else
		cp -a "$SCRATCH/bundle0" "$SCRATCH/b"
	fi
}
echo "== repack / insert ($REPS runs each, each tool on its own bundle)"
for tool in lade umoci; do
	bin=$LADE
	[ "$tool" = umoci ] && bin=$UMOCI
	fresh
	cp -a "$IMG" "$SCRATCH/layout"
	"$bin" unpack --image "$SCRATCH/layout:$TAG" "$SCRATCH/bundle0"
	(cd "$SCRATCH/bundle0/rootfs" && find . -type f -size +0 | sort | awk -v n="$(find . -type f -size +0 | wc -l)" 'NR % int(n / 1000) == 0' | head -n 1000) >"$BASE/touch.list"
	for rep in $(seq "$REPS"); do
		for sc in nochange touch1000 add200m; do
			fresh_bundle "$tool" "$bin"
			case $sc in
			touch1000) while read -r f; do printf 'bench edit\n' >>"$SCRATCH/b/rootfs/$f"; done <"$BASE/touch.list" ;;
			add200m) cp "$WORK/big200/d000/f00000" "$SCRATCH/b/rootfs/big200.bin" ;;
			esac
			measure "repack-$sc-$tool" "$bin" repack --image "$SCRATCH/layout:r-$sc-$rep" "$SCRATCH/b"
			rm -rf "$SCRATCH/b"
		done
		measure "insert-$tool" "$bin" insert --image "$SCRATCH/layout:$TAG" --tag "ins-$rep" "$WORK/insert-src" /opt/inserted
		last_layer_size "insert-$tool" "$SCRATCH/layout" "ins-$rep"
		if [ "$tool" = lade ] && [ "$(basename "$bin")" != umoci ]; then
			for level in 1 3; do
				measure "insert-l$level-lade" "$bin" insert --image "$SCRATCH/layout:$TAG" --tag "ins-l$level-$rep" --compress-level "$level" "$WORK/insert-src" /opt/inserted
				last_layer_size "insert-l$level-lade" "$SCRATCH/layout" "ins-l$level-$rep"
			done
		fi
	done
	drop
done

# --- small commands -----------------------------------------------------------
# Per-call cost on a layout with 200 tags (the small test image tagged t000
# to t199), measured with hyperfine: SMALL_ROUNDS rounds; in each, every
# command runs RUNS times with lade, then RUNS times with umoci (the other
# way round every second round), each tool on its own copy of the layout.
# This machine's load moves by tens of percent within minutes, so a ratio
# is taken between the two blocks of one round, which run back to back, and
# the median of the rounds' ratios is reported (with the median of the
# round medians of each tool's time). tag, rm and config change the layout:
# hyperfine's --prepare puts it back before every run (untimed). gc removes
# 2,000 unreferenced blobs from a fresh copy of a layout that also has the
# 200 tags; "rm" is rm -f of the same 2,000 files.
SMALL_ROUNDS=${SMALL_ROUNDS:-8}
RUNS=${RUNS:-15}
declare -A SMALL RATIO
small_layouts() { # make $SMALLDIR/{base,gcbase}
	SMALLDIR=$BASE/small
	mkdir -p "$SMALLDIR"
	"$MKIMAGE" small "$SMALLDIR/base:t000" >/dev/null
	for i in $(seq -w 1 199); do "$UMOCI" tag --image "$SMALLDIR/base:t000" "t$i"; done
	cp -a "$SMALLDIR/base" "$SMALLDIR/gcbase"
	local b h
	for i in $(seq 2000); do
		b=$SMALLDIR/blob
		printf 'unreferenced blob %d\n' "$i" >"$b"
		h=$(sha256sum "$b" | cut -d' ' -f1)
		mv "$b" "$SMALLDIR/gcbase/blobs/sha256/$h"
		echo "$SMALLDIR/gc/blobs/sha256/$h"
	done >"$SMALLDIR/unreferenced.list"
}
LAST=""
small_run() { # LABEL PREPARE CMD: one hyperfine block, median ms into SMALL[LABEL] and LAST
	local label=$1 prepare=$2 cmd=$3
	hyperfine -N --style none --warmup 3 --runs "$RUNS" --prepare "$prepare" --export-json "$BASE/hf.json" "$cmd" >/dev/null 2>"$BASE/hf.err" ||
		{ cat "$BASE/hf.err" >&2; die "$label failed: $cmd"; }
	LAST=$(jq '.results[0].median * 1000' "$BASE/hf.json")
	SMALL[$label]+=" $LAST"
}
small_cmd() { # COMMAND TOOL: one block of COMMAND with TOOL on its layout copy
	local c=$1 tool=$2 bin=$LADE L=$SMALLDIR/$2
	[ "$tool" = umoci ] && bin=$UMOCI
	local reset="cp $SMALLDIR/$tool.index $L/index.json"
	case $c in
	ls) small_run "ls-$tool" "true" "$bin ls --layout $L" ;;
	stat) small_run "stat-$tool" "true" "$bin stat --image $L:t100" ;;
	tag) small_run "tag-$tool" "$reset" "$bin tag --image $L:t000 bench-tag" ;;
	rm) small_run "rm-$tool" "$bin tag --image $L:t000 bench-rm" "$bin rm --image $L:bench-rm" ;;
	config) small_run "config-$tool" "$reset" "$bin config --image $L:t100" ;;
	gc) small_run "gc-$tool" "bash -c 'rm -rf $SMALLDIR/gc && cp -a $SMALLDIR/gcbase $SMALLDIR/gc'" "$bin gc --layout $SMALLDIR/gc" ;;
	esac
}
echo "== small commands on a 200-tag layout ($SMALL_ROUNDS rounds of $RUNS runs, hyperfine)"
small_layouts
for rep in $(seq "$SMALL_ROUNDS"); do
	order=(lade umoci)
	[ $((rep % 2)) = 0 ] && order=(umoci lade)
	for tool in lade umoci; do
		L=$SMALLDIR/$tool
		rm -rf "$L" && cp -a "$SMALLDIR/base" "$L" && cp "$L/index.json" "$SMALLDIR/$tool.index"
	done
	printf '  round %d:' "$rep"
	for c in ls stat tag rm config gc; do
		declare -A ms=()
		for tool in "${order[@]}"; do
			small_cmd "$c" "$tool"
			ms[$tool]=$LAST
		done
		RATIO[$c]+=" $(awk -v l="${ms[lade]}" -v u="${ms[umoci]}" 'BEGIN { printf "%.4f", l / u }')"
		printf ' %s %.1f/%.1f ms' "$c" "${ms[lade]}" "${ms[umoci]}"
	done
	small_run "gc-rm" "bash -c 'rm -rf $SMALLDIR/gc && cp -a $SMALLDIR/gcbase $SMALLDIR/gc'" "xargs -a $SMALLDIR/unreferenced.list rm -f"
	RATIO[gc-rm]+=" $(awk -v l="$(echo "${SMALL[gc-lade]}" | awk '{print $NF}')" -v r="$LAST" 'BEGIN { printf "%.4f", l / r }')"
	echo
done

# --- report ---------------------------------------------------------------------
W() { median "${WALL[$1]}"; }
C() { median "${CPU[$1]}"; }
R() { median "${RSS[$1]}"; }
# The at-scale and pull sections (bench/bench-scale.sh, bench/pull-scale.sh)
# are kept as they are.
scale=""
[ -f "$RESULTS" ] && scale=$(sed -n '/^<!-- bench-scale -->/,/^<!-- \/bench-scale -->/p; /^<!-- bench-pull -->/,/^<!-- \/bench-pull -->/p' "$RESULTS")
{
	echo "# lade benchmark results"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -r); median of $REPS runs, each on $MODE."
	echo "lade: \`$LADE\`$( [ "$(basename "$LADE")" = umoci ] && echo ' (umoci standing in for lade: the lade columns are umoci)'); umoci: $("$UMOCI" --version)."
	echo
	sed 's/^/    /' "$WORK/image-stats.txt"
	echo
	echo "## Unpack"
	echo
	echo "| tool | wall s | user+sys s | peak RSS MiB |"
	echo "|---|---:|---:|---:|"
	for t in lade umoci tar; do echo "| $t | $(W unpack-$t) | $(C unpack-$t) | $(R unpack-$t) |"; done
	echo
	echo "lade/umoci: wall $(ratio "$(W unpack-lade)" "$(W unpack-umoci)"), cpu $(ratio "$(C unpack-lade)" "$(C unpack-umoci)"), rss $(ratio "$(R unpack-lade)" "$(R unpack-umoci)");"
	echo "lade/tar: wall $(ratio "$(W unpack-lade)" "$(W unpack-tar)"), cpu $(ratio "$(C unpack-lade)" "$(C unpack-tar)")."
	echo "Run by run (the median of the $REPS ratios of runs made back to back, as the unpack targets below use): lade/umoci wall $(ratio "$(paired unpack-lade unpack-umoci)" 1), lade/tar wall $(ratio "$(paired unpack-lade unpack-tar)" 1)."
	echo "tar is \`tar -xzf\` of the layer blobs in order: it applies no whiteouts, checks no digests and writes no mtree manifest nor config.json, so it is a floor, not a peer."
	echo
	echo "## Repack and insert (each tool repacks a bundle it unpacked itself)"
	echo
	echo "| operation | lade wall s | umoci wall s | wall ratio | lade cpu s | umoci cpu s | cpu ratio | lade RSS MiB | umoci RSS MiB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for op in repack-nochange repack-touch1000 repack-add200m insert; do
		l=$op-lade u=$op-umoci
		echo "| $op | $(W "$l") | $(W "$u") | $(ratio "$(W "$l")" "$(W "$u")") | $(C "$l") | $(C "$u") | $(ratio "$(C "$l")" "$(C "$u")") | $(R "$l") | $(R "$u") |"
	done
	echo
	echo "repack-nochange: no edit; repack-touch1000: 1,000 files appended to; repack-add200m: one new 200 MiB binary file;"
	echo "insert: a 5,000-file / 100 MiB directory inserted at /opt/inserted. Ratios are lade/umoci (below 1 is faster)."
	echo "Each repack starts from a bundle as its tool leaves it after unpack (lade: a fresh unpack per run, so its stat cache is valid; umoci, which keeps no such state, a \`cp -a\` copy); see bench/README.md."
	echo
	echo "## Insert: compression effort (\`--compress-level\`, lade only)"
	echo
	echo "umoci always uses the gzip library default; so does lade unless told otherwise. Sizes are the gzip layer blob."
	echo
	echo "| command | wall s | vs umoci wall | cpu s | layer MiB | vs umoci size |"
	echo "|---|---:|---:|---:|---:|---:|"
	for op in insert-umoci insert-lade insert-l3-lade insert-l1-lade; do
		[ -n "${LAYER_SIZE[$op]:-}" ] || continue
		case $op in
		insert-umoci) name="umoci insert" ;;
		insert-lade) name="lade insert" ;;
		*) level=${op#insert-l}; name="lade insert --compress-level ${level%-lade}" ;;
		esac
		echo "| $name | $(W "$op") | $(ratio "$(W "$op")" "$(W insert-umoci)") | $(C "$op") | $(awk -v b="${LAYER_SIZE[$op]}" 'BEGIN { printf "%.1f", b / 1048576 }') | $(awk -v a="${LAYER_SIZE[$op]}" -v b="${LAYER_SIZE[insert-umoci]}" 'BEGIN { printf "%+.1f%%", 100 * (a - b) / b }') |"
	done
	echo
	echo "## Small commands on a layout with 200 tags (hyperfine)"
	echo
	echo "$SMALL_ROUNDS rounds; in each, every command runs $RUNS times with lade and $RUNS times with umoci, back to back (which goes first alternates),"
	echo "each tool on its own copy of the layout. ms: the median of the rounds' medians; lade/umoci: the median of the rounds' ratios,"
	echo "each between two blocks that ran a few seconds apart (this machine's load moves by tens of percent within minutes)."
	echo "tag, rm and config restore the layout before every run (untimed); gc removes 2,000 unreferenced blobs from a fresh copy."
	echo
	echo "| command | lade ms | umoci ms | lade/umoci | limit | met |"
	echo "|---|---:|---:|---:|---:|:---:|"
	for c in ls stat tag rm config gc; do
		l=$(median "${SMALL[$c-lade]}") u=$(median "${SMALL[$c-umoci]}") r=$(median "${RATIO[$c]}")
		limit=0.80
		[ "$c" = gc ] && limit=0.60
		awk -v c="$c" -v l="$l" -v u="$u" -v r="$r" -v lim="$limit" 'BEGIN { printf "| %s | %.1f | %.1f | %.2fx | %.2fx | %s |\n", c, l, u, r, lim, (r <= lim ? "yes" : "no") }'
	done
	echo
	echo "gc against \`rm -f\` of the same 2,000 files: $(median "${SMALL[gc-rm]}" | awk '{printf "%.1f", $1}') ms, lade gc $(median "${RATIO[gc-rm]}" | awk '{printf "%.2fx", $1}') of it (median of the rounds' ratios)."
	echo
	echo "## Targets (issues 3 item 8, 4 item 9)"
	echo
	echo "| target | limit | measured (wall) | met |"
	echo "|---|---:|---:|:---:|"
	target "unpack lade/umoci, run by run" 0.40 "$(paired unpack-lade unpack-umoci)" 1
	target "unpack lade/tar, run by run" 1.00 "$(paired unpack-lade unpack-tar)" 1
	target "repack-nochange lade/umoci (10x)" 0.10 "$(W repack-nochange-lade)" "$(W repack-nochange-umoci)"
	for op in repack-touch1000 repack-add200m insert; do
		target "$op lade/umoci (3x)" 0.333 "$(W "$op-lade")" "$(W "$op-umoci")"
	done
	if [ -n "$scale" ]; then echo; echo "$scale"; fi
} >"$RESULTS"
echo
cat "$RESULTS"
echo
echo "bench: done in $((SECONDS - start))s; results in $RESULTS"
