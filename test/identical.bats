#!/usr/bin/env bats
# lade writes the same bytes as umoci for the same input: layers (tar headers
# and gzip/zstd streams), configs and manifests.
#
# The reference is umoci 0.6.0 (upstream's build, whose go.mod pins
# klauspost/compress v1.11.3 and pgzip v1.2.6, as lade's does). It is not
# installed here, so its blob digests for these exact flows are written
# down below (recorded by running umoci 0.6.0 on the same script). Each flow
# also runs with the installed umoci (Debian's 0.4.7), and every blob is
# compared with it where 0.4.7 and 0.6 agree:
#
#   - configs: 0.4.7 and 0.6 write the same bytes (all times given
#     explicitly, since 0.4.7 ignores SOURCE_DATE_EPOCH);
#   - repack layers, uncompressed: the same tar;
#   - insert layers, uncompressed: 0.4.7 never finishes the tar (no padding
#     of the last file, no end-of-archive blocks), so its tar must be a
#     prefix of lade's followed only by zero bytes;
#   - compressed layers are not compared with 0.4.7: Debian builds it
#     against Debian's klauspost/compress, whose deflate encoder writes
#     other bytes than v1.11.3 (and 0.4.7 used pgzip's default block size,
#     0.5 made it 1 MiB), so only the 0.6.0 digests apply;
#   - manifests: 0.4.7 writes no "mediaType" and no
#     "ci.umo.uncompressed_blob_size" layer annotation, and its layer
#     digests differ (above), so the rest of the manifest is compared.

load helpers

# make_files ROOT: the files of the flows, with fixed modes and times.
make_files() {
	local r="$1"
	mkdir -p "$r/etc" "$r/usr/bin"
	echo hello >"$r/etc/hello"
	ln "$r/etc/hello" "$r/etc/hardlink"
	printf 'x%.0s' {1..5000} >"$r/usr/bin/big"
	ln -s ../etc/hello "$r/usr/link"
	chmod 0644 "$r/etc/hello" "$r/usr/bin/big"
	chmod 0755 "$r" "$r/etc" "$r/usr"
	chmod 0750 "$r/usr/bin"
	find "$r" -exec touch -h -d @1500000000 {} +
}

# repack_flow UMOCI DIR: the issue's flow (init, new, unpack, files with
# fixed times, repack --history.created, config --created, gc) with the
# umoci-compatible binary UMOCI; prints the manifest digest.
repack_flow() {
	local u="$1" d="$2"
	mkdir -p "$d"
	"$u" init --layout "$d/img"
	"$u" new --image "$d/img:t"
	"$u" unpack --rootless --image "$d/img:t" "$d/bundle"
	make_files "$d/bundle/rootfs"
	"$u" repack --image "$d/img:t" --history.created 2001-02-03T04:05:06+01:00 "$d/bundle"
	"$u" config --image "$d/img:t" --created 2002-02-03T04:05:06.5-02:00 \
		--history.created 2003-01-01T00:00:00Z --config.cmd /bin/sh
	"$u" gc --layout "$d/img"
	jq -r '.manifests[0].digest' "$d/img/index.json"
}

# insert_flow UMOCI DIR [COMPRESS]: inserts of a directory at /, at /opt/d,
# with --opaque and a --whiteout; prints "tag manifest-digest" lines.
insert_flow() {
	local u="$1" d="$2" c=()
	[[ -n "${3:-}" ]] && c=(--compress "$3")
	mkdir -p "$d"
	make_files "$d/src"
	"$u" init --layout "$d/img"
	"$u" new --image "$d/img:t"
	"$u" config --image "$d/img:t" --created 2000-01-01T00:00:00Z --history.created 2000-01-01T00:00:00Z
	"$u" insert --rootless "${c[@]}" --image "$d/img:t" --tag root --history.created 2001-01-01T00:00:00Z "$d/src" /
	"$u" insert --rootless "${c[@]}" --image "$d/img:t" --tag opt --history.created 2001-01-01T00:00:00Z "$d/src/usr" /opt/d
	"$u" insert --rootless "${c[@]}" --image "$d/img:t" --tag opaque --opaque --history.created 2001-01-01T00:00:00Z "$d/src/etc" /etc
	"$u" insert "${c[@]}" --image "$d/img:root" --tag wh --history.created 2001-01-01T00:00:00Z --whiteout /usr/link
	jq -r '.manifests[] | .annotations["org.opencontainers.image.ref.name"] + " " + .digest' "$d/img/index.json"
}

blob() { echo "$1/img/blobs/sha256/${2#sha256:}"; }

# layer_tar DIR MANIFEST-DIGEST: the last layer of the manifest, uncompressed.
layer_tar() {
	local b
	b="$(blob "$1" "$(jq -r '.layers[-1].digest' "$(blob "$1" "$2")")")"
	case "$(jq -r '.layers[-1].mediaType' "$(blob "$1" "$2")")" in
	*+gzip) gzip -dc "$b" ;;
	*+zstd) zstd -qdc "$b" ;;
	*) cat "$b" ;;
	esac
}

@test "the issue's repack flow gives umoci's exact layer, config and manifest" {
	run -0 repack_flow "$LADE" "$TESTDIR/lade"
	lade_manifest="${lines[-1]}"
	# umoci 0.6.0's digests for this flow: the manifest, its gzip layer and
	# its config.
	[[ "$lade_manifest" == sha256:3db7ebf95f05cc444f15e22e08551e4e98fd987b91f471774467215f65e4e839 ]] ||
		fail "manifest $lade_manifest: $(cat "$(blob "$TESTDIR/lade" "$lade_manifest")")"
	diff <(ls "$TESTDIR/lade/img/blobs/sha256") <(printf '%s\n' \
		1dcbc5e7cd1fa6f99bb46816009d5fdf0a555db9ec3b21c4fede8b7366f7bc84 \
		3db7ebf95f05cc444f15e22e08551e4e98fd987b91f471774467215f65e4e839 \
		76af2d6fb6cf4326d807dd8bdd253cfcf4652f87717d238d8a687fb796d367c4)

	requires umoci
	run -0 repack_flow umoci "$TESTDIR/umoci"
	umoci_manifest="${lines[-1]}"
	lm="$(blob "$TESTDIR/lade" "$lade_manifest")" um="$(blob "$TESTDIR/umoci" "$umoci_manifest")"
	# The config: the same blob.
	[[ "$(jq -c .config "$lm")" == "$(jq -c .config "$um")" ]] || fail "configs differ"
	cmp "$(blob "$TESTDIR/lade" "$(jq -r .config.digest "$lm")")" "$(blob "$TESTDIR/umoci" "$(jq -r .config.digest "$um")")"
	# The layer: the same tar.
	cmp <(layer_tar "$TESTDIR/lade" "$lade_manifest") <(layer_tar "$TESTDIR/umoci" "$umoci_manifest")
	# The manifest, but for what 0.4.7 does not write and the gzip stream.
	norm='del(.mediaType) | .layers[] |= (del(.annotations) | .digest = "-" | .size = 0)'
	[[ "$(jq -cS "$norm" "$lm")" == "$(jq -cS "$norm" "$um")" ]] || fail "manifests differ: $(cat "$lm") $(cat "$um")"
}

@test "insert layers are umoci's exactly, gzip, zstd and uncompressed" {
	# umoci 0.6.0's "tag manifest-digest" lines for insert_flow, by
	# compression, are in identical/insert-*.txt.
	for c in gzip zstd none; do
		run -0 insert_flow "$LADE" "$TESTDIR/lade-$c" "$c"
		diff -u "$BATS_TEST_DIRNAME/identical/insert-$c.txt" <(printf '%s\n' "$output") ||
			fail "$c: manifests differ from umoci 0.6.0's"
	done
	lade_out="$output"
	# The root entry of an insert at / is named "/" (umoci's name), not ".".
	root="$(awk '$1 == "root" {print $2}' <<<"$lade_out")"
	[[ "$(layer_tar "$TESTDIR/lade-none" "$root" | head -c 100 | tr -d '\0')" == / ]] || fail "root entry is not /"

	requires umoci
	run -0 insert_flow umoci "$TESTDIR/umoci"
	umoci_out="$output"
	for tag in t root opt opaque wh; do
		u="$(awk -v t="$tag" '$1 == t {print $2}' <<<"$umoci_out")"
		l="$(awk -v t="$tag" '$1 == t {print $2}' <<<"$lade_out")"
		if [[ "$tag" == t ]]; then
			# No layer: the configs are the same blob.
			cmp "$(blob "$TESTDIR/umoci" "$(jq -r .config.digest "$(blob "$TESTDIR/umoci" "$u")")")" \
				"$(blob "$TESTDIR/lade-none" "$(jq -r .config.digest "$(blob "$TESTDIR/lade-none" "$l")")")"
			continue
		fi
		layer_tar "$TESTDIR/umoci" "$u" >"$TESTDIR/u.tar"
		layer_tar "$TESTDIR/lade-none" "$l" >"$TESTDIR/l.tar"
		n="$(stat -c %s "$TESTDIR/u.tar")"
		(( n > 0 )) || fail "$tag: empty umoci layer"
		cmp -n "$n" "$TESTDIR/u.tar" "$TESTDIR/l.tar" || fail "$tag: umoci 0.4.7's tar is not a prefix of lade's"
		[[ -z "$(tail -c +$((n + 1)) "$TESTDIR/l.tar" | tr -d '\0')" ]] || fail "$tag: more than zeros after umoci 0.4.7's tar"
	done
}
