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

# ratio A B: A/B as "0.42x", or "-" when B is not positive.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

# target NAME LIMIT A B: a table row saying whether A/B <= LIMIT.
target() {
	awk -v n="$1" -v l="$2" -v a="$3" -v b="$4" 'BEGIN {
		if (b <= 0) { printf "| %s | %s | - | - |\n", n, l; exit }
		r = a / b; printf "| %s | %.2fx | %.2fx | %s |\n", n, l, r, (r <= l ? "yes" : "no")
	}'
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
		rm -rf "${1:?}"/* # the next run allocates recently freed inodes
		FREED=$((FREED + 1))
	fi
	RUNS_DONE=$((RUNS_DONE + 1))
	OUT=$1/$RUNS_DONE
	mkdir -p "$OUT"
	sync
	if [ "$(id -u)" = 0 ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}
