# Shared by the benchmark scripts (bench.sh, bench-scale.sh, pull-scale.sh,
# registry.sh). The caller sets BASE (a scratch directory) and die().

# measure LABEL CMD...: run CMD under /usr/bin/time; keep its wall time,
# user+sys CPU and peak RSS in WALL, CPU and RSS under LABEL.
declare -A WALL CPU RSS
measure() {
	local label=$1; shift
	if ! /usr/bin/time -f '%e %U %S %M' -o "$BASE/time" "$@" >"$BASE/measure.log" 2>&1; then
		cat "$BASE/measure.log" >&2
		die "$label failed: $*"
	fi
	local e u s m c
	read -r e u s m <"$BASE/time"
	c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	WALL[$label]+=" $e"
	CPU[$label]+=" $c"
	RSS[$label]+=" $((m / 1024))"
	printf '  %-22s %7.2fs wall %7.2fs cpu %5d MiB  (load %s)\n' "$label" "$e" "$c" "$((m / 1024))" "$(cut -d' ' -f1 /proc/loadavg)"
}

# median "V V ...": the median (of an even count, the mean of the middle two).
median() { printf '%s\n' $1 | sort -g | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

# paired A B: the median of the run-by-run ratios of the wall times of
# labels A and B (run i of A against run i of B). Tools alternate within a
# repetition, so the runs of a pair share the machine's load of the moment;
# on a machine whose speed drifts between repetitions this is steadier
# than the ratio of the two medians.
paired() {
	median "$(paste -d' ' <(printf '%s\n' ${WALL[$1]}) <(printf '%s\n' ${WALL[$2]}) |
		awk '$2 > 0 { printf "%.4f\n", $1 / $2 }')"
}

# ratio A B: A/B as "0.42x", or "-" when B is not positive.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

# target NAME LIMIT A B: a table row saying whether A/B <= LIMIT.
target() {
	awk -v n="$1" -v l="$2" -v a="$3" -v b="$4" 'BEGIN {
		if (b <= 0) { printf "| %s | %s | - | - |\n", n, l; exit }
		r = a / b; printf "| %s | %.2fx | %.2fx | %s |\n", n, l, r, (r <= l ? "yes" : "no")
	}'
}

# ext4 keeps an inode it freed from reuse for a minute, six while its
# inode table block is dirty (its allocator's recently_deleted()), and
# creating files among many of them costs kernel CPU: profiled with perf, a
# gigabyte unpack started soon after the outputs of earlier runs were
# removed spent seconds in ext4_create -> recently_deleted, and took up to
# half again its usual CPU. remove_outputs notes when it removed trees;
# settle, before the first measurement, waits until that is SETTLE_SECONDS
# (420) ago.
SETTLE_STAMP=${WORK:-bench/.work}/.removed-at
remove_outputs() {
	rm -rf "$@"
	mkdir -p "$(dirname "$SETTLE_STAMP")" && date +%s >"$SETTLE_STAMP"
}
settle() {
	[ -f "$SETTLE_STAMP" ] || return 0
	local wait=$(($(cat "$SETTLE_STAMP") + ${SETTLE_SECONDS:-420} - $(date +%s)))
	if [ "$wait" -gt 0 ]; then
		echo "waiting ${wait}s: files were removed from this filesystem less than $((${SETTLE_SECONDS:-420} / 60)) minutes ago (see settle in bench/lib.bash)"
		sleep "$wait"
	fi
}

# cold DIR: set OUT to a fresh directory under DIR, write back dirty data and
# (as root) drop the page cache, so that the next run starts cold. Outputs
# are kept (deleting a gigabyte tree would run in the background of the next
# measurement) until the disk has less than KEEP_GB GiB free; then DIR is
# emptied, and FREED counts how often.
RUNS_DONE=0
FREED=0
OUT=""
cold() {
	mkdir -p "$1"
	if [ "$(df --output=avail -B1G "$1" | tail -1)" -lt "$KEEP_GB" ]; then
		remove_outputs "${1:?}"/* # the next run allocates recently freed inodes
		FREED=$((FREED + 1))
	fi
	RUNS_DONE=$((RUNS_DONE + 1))
	OUT=$1/$RUNS_DONE
	mkdir -p "$OUT"
	sync
	if [ "$(id -u)" = 0 ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}
