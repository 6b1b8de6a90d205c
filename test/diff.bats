#!/usr/bin/env bats
# lade diff [--platform P] [--json] [--config-only | --files-only] [--mtime]
#           [--collapse] [--exit-code] IMAGE_A IMAGE_B

load helpers

setup_file() {
	build_mkimage
}

# two_tags: the small image as img:latest and a copy tagged img:b.
two_tags() {
	image="$(small_image img)"
	"$LADE" tag --image "$image:latest" b
}

@test "lade diff of identical images prints nothing" {
	two_tags
	lade_ok diff "$image:latest" "$image:b"
	[[ -z "$output" ]] || fail "unexpected output: $output"
	lade_ok diff --exit-code "$image" "$image:b"
	lade_ok diff --json "$image" "$image:b"
	[[ "$(jq -c . <<<"$output")" == '{"config":[],"files":[]}' ]] || fail "json: $output"
}

@test "lade diff reports config edits" {
	two_tags
	lade_ok config --image "$image:b" --config.env FOO=bar --config.cmd /bin/sh --config.cmd -c \
		--config.label org.example=1 --config.user 1000 --no-history
	lade_ok diff --config-only "$image" "$image:b"
	[[ "$output" == *'config User "" -> "1000"'* ]] || fail "user: $output"
	[[ "$output" == *'config Env +FOO=bar'* ]] || fail "env: $output"
	[[ "$output" == *'config Cmd ["/usr/bin/hello"] -> ["/bin/sh","-c"]'* ]] || fail "cmd: $output"
	[[ "$output" == *'config Labels +org.example=1'* ]] || fail "label: $output"
	[[ "$output" != *$'\n'[ADM]' '* ]] || fail "files listed with --config-only: $output"
	lade_ok diff --files-only "$image" "$image:b"
	[[ -z "$output" ]] || fail "file changes for a config edit: $output"
	lade_ok config --image "$image:b" --config.label org.example=2 --no-history
	lade_ok diff --config-only "$image:b" "$image:b"
	lade_ok diff --json --config-only "$image" "$image:b"
	jq -e '.files == null and ([.config[] | select(.field == "Labels" and .op == "add")][0].value == "org.example=2")' <<<"$output" ||
		fail "json: $output"
	jq -e '.config[] | select(.field == "Cmd") | .old == ["/usr/bin/hello"] and .new == ["/bin/sh","-c"]' <<<"$output" ||
		fail "json cmd: $output"
}

@test "lade diff reports inserted files and whiteouts" {
	two_tags
	echo new >"$TESTDIR/newfile"
	lade_ok insert --image "$image:b" "$TESTDIR/newfile" /etc/newfile
	lade_ok diff --files-only "$image" "$image:b"
	[[ "$output" == "A /etc/newfile" ]] || fail "insert: $output"
	lade_ok insert --image "$image:b" --whiteout /etc/os-release
	lade_ok diff "$image" "$image:b"
	[[ "$output" == *$'\nA /etc/newfile\nD /etc/os-release'* ]] || fail "whiteout: $output"
	[[ "$output" == *'config Layers 3 -> 5'* ]] || fail "layers: $output"
	run "$LADE" diff --exit-code "$image" "$image:b"
	[[ "$status" -eq 2 ]] || fail "--exit-code with differences exited $status"
	lade_ok diff "$image" "$image:b"
}

@test "lade diff reports a repack of changed, deleted and chmod'ed files" {
	two_tags
	lade_ok unpack --image "$image:b" "$TESTDIR/bundle"
	rootfs="$TESTDIR/bundle/rootfs"
	echo changed >>"$rootfs/etc/os-release"
	chmod 0700 "$rootfs/usr/bin/su"
	rm -r "$rootfs/opt/lib"
	mkdir "$rootfs/new dir"
	printf x >"$rootfs/new dir/f"$'\n'"g"
	lade_ok repack --image "$image:b" "$TESTDIR/bundle"
	lade_ok diff --files-only "$image" "$image:b"
	expected=$'M /etc/os-release size:22->30 content\nA "/new dir"\nA "/new dir/f\\ng"\nD /opt/lib\nD /opt/lib/c\nM /usr/bin/su mode:4755->0700'
	[[ "$output" == "$expected" ]] || fail "repack diff: $output"
	lade_ok diff --files-only --collapse "$image" "$image:b"
	[[ "$output" == *$'\nD /opt/lib\nM /usr/bin/su'* ]] || fail "collapse: $output"
	lade_ok diff --files-only --mtime "$image" "$image:b"
	[[ "$output" == *'M /etc/os-release size:22->30 content mtime:'* ]] || fail "mtime: $output"
	lade_ok diff --json --files-only "$image" "$image:b"
	jq -e '.config == null and (.files | length == 6) and
		(.files[] | select(.path == "/usr/bin/su") | .fields == ["mode"] and .old.mode == "4755" and .new.mode == "0700") and
		(.files[] | select(.path == "/new dir/f\ng") | .op == "add" and .new.size == 1)' <<<"$output" || fail "json: $output"
}

@test "lade diff compares images of two layouts" {
	image="$(small_image a)"
	new_image "$TESTDIR/b" latest
	lade_ok diff --collapse "$image" "$TESTDIR/b"
	[[ "$output" == *'D /etc'* && "$output" == *'config Layers 3 -> 0'* ]] || fail "output: $output"
	lade_ok diff --files-only --collapse "$TESTDIR/b" "$image"
	[[ "${lines[0]}" == "A /etc" ]] || fail "output: $output"
}

@test "lade diff errors" {
	two_tags
	lade_fail diff "$image:nope" "$image:b"
	lade_fail diff "$image"
	lade_fail diff "$image" "$image:b" extra
	lade_fail diff "$image" "$image:b" --json
	lade_fail diff --config-only --files-only "$image" "$image:b"
	lade_fail diff "$image:bad tag" "$image:b"
	lade_fail diff "$TESTDIR/missing" "$image:b"
	lade_fail diff --platform nope "$image" "$image:b"
}

# corrupt_blob LAYOUT DIGEST OFFSET: flip one byte of a blob in place.
corrupt_blob() {
	local blob="$1/blobs/sha256/${2#sha256:}"
	chmod u+w "$blob"
	python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); d = bytearray(open(p, "rb").read()); d[o] ^= 0x55; open(p, "wb").write(d)' "$blob" "$3"
}

@test "lade diff names the digest mismatch of a corrupt layer blob" {
	requires python3
	image="$(small_image img)"
	new_image "$TESTDIR/empty" latest
	# A 4 MiB uncompressed layer whose first tar header gets corrupted: the
	# tree stops at the header, the blob must still be read to its end.
	head -c 4194304 /dev/urandom >"$TESTDIR/big"
	tar -C "$TESTDIR" -cf "$TESTDIR/big.tar" big
	lade_ok raw add-layer --image "$image" --compress none --no-history "$TESTDIR/big.tar"
	layers="$(jq -r '.manifests[0].digest' "$image/index.json")"
	layers="$(jq -r '.layers[].digest' "$image/blobs/sha256/${layers#sha256:}")"
	gz="$(sed -n 1p <<<"$layers")"
	raw="$(sed -n 4p <<<"$layers")"
	cp -a "$image" "$TESTDIR/gz"
	corrupt_blob "$TESTDIR/gz" "$gz" 300
	lade_fail diff "$TESTDIR/gz" "$TESTDIR/empty"
	[[ "$output" == *"$gz"*"digest mismatch"* ]] || fail "gzip: $output"
	corrupt_blob "$image" "$raw" 148
	lade_fail diff --files-only "$TESTDIR/empty" "$image"
	[[ "$output" == *"$raw"*"digest mismatch"* ]] || fail "tar: $output"
}

@test "lade diff quotes names that are not UTF-8, in text and JSON" {
	image="$(small_image img)"
	"$LADE" tag --image "$image:latest" b
	echo x >"$TESTDIR/f"
	lade_ok insert --image "$image:b" "$TESTDIR/f" $'/bad\xff'
	lade_ok insert --image "$image:b" "$TESTDIR/f" $'/bad\xfe'
	lade_ok diff --files-only "$image" "$image:b"
	[[ "$output" == 'A "/bad\xfe"'$'\n''A "/bad\xff"' ]] || fail "text: $output"
	lade_ok diff --json --files-only "$image" "$image:b"
	iconv -f UTF-8 -t UTF-8 <<<"$output" >/dev/null || fail "JSON is not UTF-8: $output"
	jq -e '[.files[].path] == ["\"/bad\\xfe\"", "\"/bad\\xff\""]' <<<"$output" || fail "json: $output"
}
