#!/usr/bin/env bash
# lade copy vs skopeo copy through a local registry (Debian's docker-registry
# on 127.0.0.1, plain HTTP, storage on the disk), side by side in one run:
#   pull          docker:// -> oci: into a fresh directory each run
#   push-new      oci: -> docker:// into an emptied registry each run
#   push-existing oci: -> docker:// when the registry has every blob
#   pull-1layer   the same bytes as one layer, for lade's memory: peak RSS
#                 must not grow with the layer size
# The image is $LAYERS layers of $LAYER_MB MiB of pseudo-random data
# (deterministic, incompressible), cached under bench/.work/registry.
# Each figure is the median of $REPS runs (A B A B ...) of wall time, user+sys
# CPU and peak RSS. Results: stdout and bench/results-registry.md.
#
# Env: LADE (default bin/lade), SKOPEO (default skopeo), REPS (default 5),
# LAYERS (default 6), LAYER_MB (default 56).
set -euo pipefail
cd "$(dirname "$0")/.."

LADE=${LADE:-bin/lade}
SKOPEO=${SKOPEO:-skopeo}
REPS=${REPS:-5}
LAYERS=${LAYERS:-6}
LAYER_MB=${LAYER_MB:-56}
WORK=bench/.work/registry
RESULTS=bench/results-registry.md

die() { echo "bench: $*" >&2; exit 1; }
for tool in "$LADE" "$SKOPEO" docker-registry openssl jq hyperfine; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
LADE=$(command -v "$LADE")
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: apt-get install time"

# --- the image ---------------------------------------------------------------
# layer_data I MB: MB MiB of deterministic pseudo-random bytes (AES-CTR of
# zeros under a key derived from I).
layer_data() {
	# openssl is stopped by SIGPIPE when head has enough.
	{ openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$(($1 + 1))")" -iv 0 </dev/zero 2>/dev/null || true; } | head -c "$(($2 << 20))"
}
stamp="$LAYERS x $LAYER_MB MiB, v1"
if [ "$(cat "$WORK/stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "== building the bench image ($stamp)"
	rm -rf "$WORK" && mkdir -p "$WORK/src"
	"$LADE" init --layout "$WORK/image"
	SOURCE_DATE_EPOCH=0 "$LADE" new --image "$WORK/image:multi"
	for i in $(seq "$LAYERS"); do
		mkdir "$WORK/src/$i"
		layer_data "$i" "$LAYER_MB" >"$WORK/src/$i/data.bin"
		SOURCE_DATE_EPOCH=0 "$LADE" insert --compress-level 1 --image "$WORK/image:multi" "$WORK/src/$i" "/data/$i"
	done
	SOURCE_DATE_EPOCH=0 "$LADE" new --image "$WORK/image:one"
	mkdir "$WORK/src/one"
	for i in $(seq "$LAYERS"); do cat "$WORK/src/$i/data.bin"; done >"$WORK/src/one/data.bin"
	SOURCE_DATE_EPOCH=0 "$LADE" insert --compress-level 1 --image "$WORK/image:one" "$WORK/src/one" /data
	rm -rf "$WORK/src"
	echo "$stamp" >"$WORK/stamp"
fi
size_of() { # TAG: the compressed size of the image's layers, in MiB
	local m
	m=$(jq -r --arg t "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$WORK/image/index.json")
	jq '[.layers[].size] | add / 1048576 | floor' "$WORK/image/blobs/sha256/${m#sha256:}"
}

# --- the registries ----------------------------------------------------------
BASE=$(mktemp -d "$PWD/bench/.work/registry-run.XXXXXX")
PIDS=()
. bench/registry-lib.bash
cleanup() { stop_registries; rm -rf "$BASE"; }
trap cleanup EXIT
start_registry src
SRC=$REGISTRY
start_registry dst
DST=$REGISTRY
"$LADE" copy -q --dest-tls-verify=false "oci:$WORK/image:multi" "docker://$SRC/bench:multi"
"$LADE" copy -q --dest-tls-verify=false "oci:$WORK/image:one" "docker://$SRC/bench:one"

# --- measurement -------------------------------------------------------------
. bench/lib.bash
# measure as bench/lib.bash's, with the wall time from the clock (in ms):
# /usr/bin/time rounds it to 10 ms, too coarse for these runs.
measure() { # LABEL CMD...
	local label=$1; shift
	local t0 t1
	t0=$(date +%s%N)
	if ! /usr/bin/time -f '%e %U %S %M' -o "$BASE/time" "$@" >"$BASE/out" 2>&1; then
		cat "$BASE/out" >&2
		die "$label failed: $*"
	fi
	t1=$(date +%s%N)
	local e u s m c
	read -r e u s m <"$BASE/time"
	# Wall time in milliseconds from the clock: /usr/bin/time rounds to 10 ms.
	e=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	WALL[$label]+=" $e"
	CPU[$label]+=" $c"
	RSS[$label]+=" $((m / 1024))"
	printf '  %-24s %7.3fs wall %6.2fs cpu %5d MiB\n' "$label" "$e" "$c" "$((m / 1024))"
}
empty_dst() { rm -rf "$BASE/dst-data"; }
copy_cmd() { # TOOL SRC DST
	case $1 in
	lade) echo "$LADE copy -q --src-tls-verify=false --dest-tls-verify=false $2 $3" ;;
	skopeo) echo "$SKOPEO --insecure-policy copy -q --src-tls-verify=false --dest-tls-verify=false $2 $3" ;;
	esac
}

echo "== $REPS runs each, lade and skopeo in turn"
for rep in $(seq "$REPS"); do
	for tool in lade skopeo; do
		measure "pull-$tool" $(copy_cmd "$tool" "docker://$SRC/bench:multi" "oci:$BASE/pull-$tool-$rep:v1")
		rm -rf "$BASE/pull-$tool-$rep"
		empty_dst
		measure "push-new-$tool" $(copy_cmd "$tool" "oci:$WORK/image:multi" "docker://$DST/bench:v1")
		measure "push-existing-$tool" $(copy_cmd "$tool" "oci:$WORK/image:multi" "docker://$DST/bench:v1")
	done
	measure "pull-1layer-lade" $(copy_cmd lade "docker://$SRC/bench:one" "oci:$BASE/one-$rep:v1")
	rm -rf "$BASE/one-$rep"
done

# push-existing takes tens of milliseconds, of which the clock reads and
# /usr/bin/time around a run would be several, for both tools alike: its
# wall time in the table is hyperfine's median of 30 runs of each instead
# (process start-up included; CPU and RSS still come from the runs above).
hyperfine -N --style none --warmup 3 --runs 30 --export-json "$BASE/hf.json" \
	"$(copy_cmd lade "oci:$WORK/image:multi" "docker://$DST/bench:v1")" \
	"$(copy_cmd skopeo "oci:$WORK/image:multi" "docker://$DST/bench:v1")" >/dev/null
WALL[push-existing-lade]=$(jq '.results[0].median * 1000 | round / 1000' "$BASE/hf.json")
WALL[push-existing-skopeo]=$(jq '.results[1].median * 1000 | round / 1000' "$BASE/hf.json")
echo "  push-existing (hyperfine, 30 runs): lade ${WALL[push-existing-lade]}s, skopeo ${WALL[push-existing-skopeo]}s"

# --- report ------------------------------------------------------------------
{
	echo "# lade copy vs skopeo copy through a local registry"
	echo
	echo "$(date -u +%F), $(nproc) CPUs, $(uname -r); median of $REPS runs of each, side by side."
	echo "lade: \`$LADE\`; skopeo: $("$SKOPEO" --version); registry: Debian's docker-registry on 127.0.0.1 (plain HTTP, storage on disk)."
	echo "Image: $LAYERS gzip layers of $LAYER_MB MiB of incompressible data, $(size_of multi) MiB compressed; pull-1layer: the same bytes as one $(size_of one) MiB layer."
	echo
	echo "| operation | lade wall s | skopeo wall s | wall ratio | lade cpu s | skopeo cpu s | lade RSS MiB | skopeo RSS MiB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for op in pull push-new push-existing; do
		lw=$(median "${WALL[$op-lade]}") sw=$(median "${WALL[$op-skopeo]}")
		echo "| $op | $lw | $sw | $(ratio "$lw" "$sw") | $(median "${CPU[$op-lade]}") | $(median "${CPU[$op-skopeo]}") | $(median "${RSS[$op-lade]}") | $(median "${RSS[$op-skopeo]}") |"
	done
	echo "| pull-1layer (lade) | $(median "${WALL[pull-1layer-lade]}") | | | $(median "${CPU[pull-1layer-lade]}") | | $(median "${RSS[pull-1layer-lade]}") | |"
	echo
	echo "pull: docker:// -> oci: into a new directory; push-new: oci: -> docker:// into an emptied registry;"
	echo "push-existing: the same push again, every blob already there (wall: hyperfine's median of 30 runs each)."
	echo "Ratios are lade/skopeo (below 1 is faster)."
} | tee "$RESULTS"
