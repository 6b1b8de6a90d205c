#!/usr/bin/env bats
# With SOURCE_DATE_EPOCH set, new, insert, raw add-layer, config and repack
# give byte-identical blobs on every run.

load helpers

# build DIR: make fresh inputs under DIR (their times are "now", newer than
# SOURCE_DATE_EPOCH, so they must be clamped) and run every command; print
# the digest of each tag, one per line.
build() {
	local dir="$1" layout="$1/img"
	mkdir -p "$dir/src/d"
	echo hello >"$dir/src/d/f"
	ln -s f "$dir/src/d/l"
	printf 'x%.0s' {1..5000} >"$dir/src/big"
	tar --owner=0 --group=0 --mtime=@1600000000 --sort=name -cf "$dir/l.tar" -C "$dir/src" d
	"$LADE" init --layout "$layout"
	"$LADE" new --image "$layout:new"
	"$LADE" insert --image "$layout:new" --tag insert "$dir/src/d" /opt/d
	"$LADE" insert --image "$layout:insert" --tag whiteout --whiteout /opt/d/l
	"$LADE" raw add-layer --image "$layout:whiteout" --tag addlayer "$dir/l.tar"
	"$LADE" config --image "$layout:addlayer" --tag config --config.env A=B --author me
	"$LADE" unpack --image "$layout:config" "$dir/bundle"
	cp "$dir/src/big" "$dir/bundle/rootfs/big"
	rm "$dir/bundle/rootfs/opt/d/f"
	"$LADE" repack --image "$layout:repack" --compress zstd "$dir/bundle"
	"$LADE" repack --image "$layout:repack2" "$dir/bundle"
	jq -r '.manifests[] | [.annotations["org.opencontainers.image.ref.name"], .digest] | @tsv' "$layout/index.json"
}

@test "every layer-making command is reproducible with SOURCE_DATE_EPOCH" {
	export SOURCE_DATE_EPOCH=1700000000
	run -0 build "$TESTDIR/a"
	first="$output"
	sleep 1.1 # new inputs with other times, inodes and a later clock
	run -0 build "$TESTDIR/b"
	[[ "$output" == "$first" ]] || fail "runs differ: $(diff <(echo "$first") <(echo "$output"))"
	[[ "$(wc -l <<<"$first")" == 7 ]]
	# Every blob of both layouts is the same.
	diff <(ls "$TESTDIR/a/img/blobs/sha256") <(ls "$TESTDIR/b/img/blobs/sha256")
	image-verify "$TESTDIR/a/img"
	# Times newer than SOURCE_DATE_EPOCH are clamped in generated layers.
	m="$TESTDIR/a/img/blobs/sha256/$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "insert") | .digest' "$TESTDIR/a/img/index.json" | cut -d: -f2)"
	layer="$TESTDIR/a/img/blobs/sha256/$(jq -r '.layers[-1].digest' "$m" | cut -d: -f2)"
	run -0 python3 -c 'import sys, tarfile; print(sorted({m.mtime for m in tarfile.open(sys.argv[1])}))' "$layer"
	[[ "$output" == "[1700000000]" ]]
}

@test "SOURCE_DATE_EPOCH keeps older times and rejects garbage" {
	export SOURCE_DATE_EPOCH=1700000000
	layout="$(new_layout img)"
	new_image "$layout" t
	mkdir -p "$TESTDIR/src" && echo x >"$TESTDIR/src/old"
	touch -d @1000000000 "$TESTDIR/src/old"
	lade_ok insert --image "$layout:t" --compress none "$TESTDIR/src/old" /old
	m="$layout/blobs/sha256/$(jq -r '.manifests[-1].digest' "$layout/index.json" | cut -d: -f2)"
	layer="$layout/blobs/sha256/$(jq -r '.layers[-1].digest' "$m" | cut -d: -f2)"
	run -0 python3 -c 'import sys, tarfile; print([m.mtime for m in tarfile.open(sys.argv[1])])' "$layer"
	[[ "$output" == "[1000000000]" ]]
	SOURCE_DATE_EPOCH=soon lade_fail insert --image "$layout:t" "$TESTDIR/src/old" /old
}

@test "unpack with SOURCE_DATE_EPOCH gives the same tree and mtree every time" {
	mkdir -p "$TESTDIR/src"
	echo data >"$TESTDIR/src/f"
	layout="$TESTDIR/img"
	new_image "$layout" t
	# /opt and /opt/deep have no entry of their own in the layer.
	lade_ok insert --image "$layout:t" "$TESTDIR/src/f" /opt/deep/f
	export SOURCE_DATE_EPOCH=1700000000
	lade_ok unpack --image "$layout:t" "$TESTDIR/a"
	sleep 1.1
	lade_ok unpack --image "$layout:t" "$TESTDIR/b"
	[[ "$(stat -c %Y "$TESTDIR/a/rootfs/opt")" == 1700000000 ]]
	cmp <(grep -v '^#' "$TESTDIR"/a/sha256_*.mtree) <(grep -v '^#' "$TESTDIR"/b/sha256_*.mtree)
	lade_ok raw mtree-validate --manifest "$(ls "$TESTDIR"/a/sha256_*.mtree)" --path "$TESTDIR/b/rootfs"
	lade_ok raw unpack --image "$layout:t" "$TESTDIR/raw"
	[[ "$(stat -c %Y "$TESTDIR/raw/opt/deep")" == 1700000000 ]]
	# Without it, the directories get the time of the unpack, as with umoci.
	unset SOURCE_DATE_EPOCH
	lade_ok unpack --image "$layout:t" "$TESTDIR/c"
	(( $(stat -c %Y "$TESTDIR/c/rootfs/opt") > 1700000000 ))
}

@test "explicit times keep their offset and fraction and win over SOURCE_DATE_EPOCH" {
	export SOURCE_DATE_EPOCH=1700000000
	layout="$TESTDIR/img"
	new_image "$layout" t
	mkdir -p "$TESTDIR/src" && echo x >"$TESTDIR/src/f"
	tar -cf "$TESTDIR/l.tar" -C "$TESTDIR/src" f
	t1=1997-03-25T13:40:00+01:00 t2=1997-03-25T13:40:00.5-08:00 t3=2001-02-03T04:05:06.123456789+05:30
	lade_ok config --image "$layout:t" --created "$t1" --history.created "$t1"
	lade_ok insert --image "$layout:t" --history.created "$t2" "$TESTDIR/src/f" /f
	lade_ok raw add-layer --image "$layout:t" --history.created "$t3" "$TESTDIR/l.tar"
	lade_ok unpack --image "$layout:t" "$TESTDIR/b"
	echo y >"$TESTDIR/b/rootfs/g"
	lade_ok repack --image "$layout:t" --history.created 2020-01-01T00:00:00.000+00:00 "$TESTDIR/b"
	lade_ok config --image "$layout:t" --author me
	lade_ok stat --json --image "$layout:t"
	run -0 jq -c '[.config.blob.created, (.config.blob.history[] | .created)]' <<<"$output"
	[[ "$output" == "[\"$t1\",\"$t1\",\"$t2\",\"$t3\",\"2020-01-01T00:00:00Z\",\"2023-11-14T22:13:20Z\"]" ]] ||
		fail "stored times: $output"
	# stat prints them as stored.
	lade_ok stat --image "$layout:t"
	[[ "$output" == *"Created: $t1"* ]] || fail "$output"
	for t in "$t1" "$t2" "$t3"; do
		grep -qF " $t " <<<"$output" || fail "$t missing from the history table: $output"
	done
}
