#!/usr/bin/env bats
# lade copy: every transport, skopeo's command lines, skopeo as the interop
# partner both ways, and a real registry (Debian's docker-registry on
# 127.0.0.1, TLS with htpasswd and plain HTTP; see test/registry.bash).

load helpers
load registry

setup_file() {
	requires skopeo jq
	registry_start
	build_mkimage
	"$MKIMAGE" small "$BATS_FILE_TMPDIR/small:latest" >&2
	export SMALL="$BATS_FILE_TMPDIR/small"
	# A two-platform index: the small image for this machine and the same
	# image relabelled for another architecture.
	local other=arm64
	[[ "$(host_arch)" == arm64 ]] && other=amd64
	export OTHER_ARCH="$other"
	# Its layers are all compressed (the copy gzips the uncompressed one),
	# so copies to any destination keep every digest.
	export MULTI="$BATS_FILE_TMPDIR/multi"
	"$LADE" copy "oci:$SMALL:latest" "oci:$MULTI:latest"
	"$LADE" config --image "$MULTI:latest" --tag other --architecture "$other"
	"$LADE" index create --image "$MULTI:idx" latest other
}

teardown_file() {
	registry_stop
}

teardown() {
	local m
	for m in ${MOUNTS:-}; do
		umount "$m" 2>/dev/null || true
	done
}

setup() {
	requires skopeo jq
	TESTDIR="$BATS_TEST_TMPDIR"
	unset SOURCE_DATE_EPOCH REGISTRY_AUTH_FILE
	export XDG_RUNTIME_DIR="$TESTDIR/run" HOME="$TESTDIR/home"
	mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
}

# digest_of NAME: the digest lade inspect reports for NAME (extra flags after).
digest_of() {
	"$LADE" inspect --format '{{.Digest}}' "$@"
}

# same_rootfs LAYOUT_A:TAG LAYOUT_B:TAG: the two images hold the same files.
same_rootfs() {
	run "$LADE" diff --exit-code "$1" "$2"
	[[ "$status" -eq 0 ]] || fail "images $1 and $2 differ: $output"
}

@test "lade copy between local transports keeps the image" {
	d0="$(digest_of "oci:$SMALL:latest")"
	lade_ok copy "oci:$SMALL:latest" "dir:$TESTDIR/d"
	[[ -z "$output" ]]
	[[ "$(cat "$TESTDIR/d/version")" == "Directory Transport Version: 1.1" ]]
	[[ "$(digest_of "dir:$TESTDIR/d")" == "$d0" ]]
	lade_ok copy "dir:$TESTDIR/d" "oci-archive:$TESTDIR/a.tar:t"
	lade_ok copy "oci-archive:$TESTDIR/a.tar:t" "oci:$TESTDIR/l:back"
	# The uncompressed layer of the small image is gzip-compressed on the
	# way into oci-archive:, as skopeo does (with umoci's gzip encoder, so
	# the bytes are umoci's, not skopeo's): same layers, same diff_ids.
	[[ "$("$LADE" inspect --format '{{range .LayersData}}{{.MIMEType}} {{end}}' "oci:$TESTDIR/l:back")" == \
		"$(printf 'application/vnd.oci.image.layer.v1.tar+gzip %.0s' 1 2 3)" ]]
	skopeo --insecure-policy copy -q "oci:$SMALL:latest" "oci:$TESTDIR/sk:x"
	[[ "$("$LADE" inspect --config "oci:$TESTDIR/l:back" | jq -c .rootfs)" == "$(skopeo inspect --config "oci:$TESTDIR/sk:x" | jq -c .rootfs)" ]]
	same_rootfs "$SMALL:latest" "$TESTDIR/l:back"
	image-verify "$TESTDIR/l"
	# Into docker-archive: the tar skopeo writes, byte for byte.
	lade_ok copy "oci:$SMALL:latest" "docker-archive:$TESTDIR/da.tar:foo/bar:v1"
	skopeo --insecure-policy copy -q "oci:$SMALL:latest" "docker-archive:$TESTDIR/sda.tar:foo/bar:v1"
	cmp "$TESTDIR/da.tar" "$TESTDIR/sda.tar"
	lade_ok copy "docker-archive:$TESTDIR/da.tar" "oci:$TESTDIR/l:fromda"
	same_rootfs "$SMALL:latest" "$TESTDIR/l:fromda"
	# The other tags of a layout stay.
	[[ "$(tags "$TESTDIR/l")" == "back fromda" ]]
}

@test "lade copy: skopeo reads what lade writes and the other way round" {
	lade_ok copy "oci:$SMALL:latest" "oci-archive:$TESTDIR/a.tar:t"
	lade_ok copy --format v2s2 "oci:$SMALL:latest" "dir:$TESTDIR/d2"
	for name in "oci-archive:$TESTDIR/a.tar:t" "dir:$TESTDIR/d2"; do
		skopeo --insecure-policy copy -q "$name" "oci:$TESTDIR/sk:$(basename "${name%%:t}")"
	done
	[[ "$(skopeo inspect --raw "dir:$TESTDIR/d2" | jq -r .mediaType)" == "application/vnd.docker.distribution.manifest.v2+json" ]]
	skopeo --insecure-policy copy -q --format v2s2 "oci:$SMALL:latest" "dir:$TESTDIR/skd"
	lade_ok copy "dir:$TESTDIR/skd" "oci:$TESTDIR/l:fromskopeo"
	[[ "$("$LADE" inspect --raw "oci:$TESTDIR/l:fromskopeo" | jq -r .mediaType)" == "application/vnd.oci.image.manifest.v1+json" ]]
	same_rootfs "$SMALL:latest" "$TESTDIR/l:fromskopeo"
}

@test "lade copy pushes to and pulls from a registry; skopeo agrees on every digest" {
	# lade pushes, skopeo pulls.
	lade_ok copy --dest-cert-dir "$REG_CERTS" --dest-creds "$REG_USER:$REG_PASS" --digestfile "$TESTDIR/digest" \
		"oci:$SMALL:latest" "docker://$REG_TLS/lade/small:v1"
	pushed="$(cat "$TESTDIR/digest")"
	[[ "$pushed" == sha256:* ]]
	run -0 skopeo inspect --cert-dir "$REG_CERTS" --creds "$REG_USER:$REG_PASS" "docker://$REG_TLS/lade/small:v1"
	[[ "$(jq -r .Digest <<<"$output")" == "$pushed" ]]
	skopeo --insecure-policy copy -q --src-cert-dir "$REG_CERTS" --src-creds "$REG_USER:$REG_PASS" \
		"docker://$REG_TLS/lade/small:v1" "oci:$TESTDIR/sk:pulled"
	[[ "$(skopeo inspect --format '{{.Digest}}' "oci:$TESTDIR/sk:pulled")" == "$pushed" ]]
	# skopeo pushes, lade pulls: the same manifest and blobs.
	skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$SMALL:latest" "docker://$REG_HTTP/sk/small:v1"
	want="$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG_HTTP/sk/small:v1")"
	lade_ok copy --src-tls-verify=false "docker://$REG_HTTP/sk/small:v1" "oci:$TESTDIR/l:pulled"
	[[ "$(digest_of "oci:$TESTDIR/l:pulled")" == "$want" ]]
	same_rootfs "$SMALL:latest" "$TESTDIR/l:pulled"
	image-verify "$TESTDIR/l"
	# Docker v2s2 through the registry, both ways.
	lade_ok copy --format v2s2 --dest-tls-verify=false "oci:$SMALL:latest" "docker://$REG_HTTP/lade/v2s2:v1"
	run -0 skopeo inspect --raw --tls-verify=false "docker://$REG_HTTP/lade/v2s2:v1"
	[[ "$(jq -r .mediaType <<<"$output")" == "application/vnd.docker.distribution.manifest.v2+json" ]]
	lade_ok copy --src-tls-verify=false "docker://$REG_HTTP/lade/v2s2:v1" "dir:$TESTDIR/v2"
	[[ "$(jq -r .mediaType "$TESTDIR/v2/manifest.json")" == "application/vnd.docker.distribution.manifest.v2+json" ]]
}

@test "lade copy through every transport and back gives the same files" {
	start="oci:$SMALL:latest"
	for via in "dir:$TESTDIR/d" "oci-archive:$TESTDIR/a.tar:t" "docker-archive:$TESTDIR/da.tar:x/y:z" \
		"docker://$REG_HTTP/round/trip:t" "oci:$TESTDIR/mid:t"; do
		for from in "$start"; do
			lade_ok copy --src-tls-verify=false --dest-tls-verify=false "$from" "$via"
			lade_ok copy --src-tls-verify=false --dest-tls-verify=false "$via" "oci:$TESTDIR/out:$(echo "$via" | cut -d: -f1)"
			same_rootfs "$SMALL:latest" "$TESTDIR/out:$(echo "$via" | cut -d: -f1)"
		done
		start="$via"
	done
	image-verify "$TESTDIR/out"
}

@test "lade copy of a multi-platform index: this machine's image, --override-arch, --all" {
	host_digest="$(digest_of "oci:$MULTI:latest")"
	other_digest="$(digest_of "oci:$MULTI:other")"
	lade_ok copy "oci:$MULTI:idx" "oci:$TESTDIR/l:host"
	[[ "$(digest_of "oci:$TESTDIR/l:host")" == "$host_digest" ]]
	lade_ok --override-arch "$OTHER_ARCH" copy "oci:$MULTI:idx" "oci:$TESTDIR/l:other"
	[[ "$(digest_of "oci:$TESTDIR/l:other")" == "$other_digest" ]]
	# skopeo's way of writing the global flag, after the command.
	lade_ok copy "oci:$MULTI:idx" "oci:$TESTDIR/l:other2" --override-arch "$OTHER_ARCH"
	[[ "$(digest_of "oci:$TESTDIR/l:other2")" == "$other_digest" ]]
	# --all copies the index and both images, to a registry and back.
	idx="$(digest_of "oci:$MULTI:idx")"
	lade_ok copy --all --dest-tls-verify=false "oci:$MULTI:idx" "docker://$REG_HTTP/multi:all"
	run -0 skopeo inspect --raw --tls-verify=false "docker://$REG_HTTP/multi:all"
	[[ "$(jq '.manifests | length' <<<"$output")" -eq 2 ]]
	[[ "sha256:$(skopeo inspect --raw --tls-verify=false "docker://$REG_HTTP/multi:all" | sha256sum | cut -d' ' -f1)" == "$idx" ]]
	skopeo --insecure-policy copy -q --all --src-tls-verify=false "docker://$REG_HTTP/multi:all" "oci:$TESTDIR/sk:all"
	lade_ok copy --all --src-tls-verify=false "docker://$REG_HTTP/multi:all" "oci:$TESTDIR/l:all"
	[[ "$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "all") | .digest' "$TESTDIR/l/index.json")" == "$idx" ]]
	lade_ok unpack --platform "linux/$OTHER_ARCH" --image "$TESTDIR/l:all" "$TESTDIR/bundle"
	image-verify "$TESTDIR/l"
	# docker-archive: holds one image, not an index.
	lade_fail copy --all "oci:$MULTI:idx" "docker-archive:$TESTDIR/x.tar"
	[[ ! -e "$TESTDIR/x.tar" ]]
}

@test "lade copy skips blobs the destination has and mounts blobs from the same registry" {
	lade_ok copy --progress plain --dest-tls-verify=false "oci:$SMALL:latest" "docker://$REG_HTTP/skip/a:v1"
	[[ "$output" == *"(4 done)"* ]]
	# Everything is there: nothing moves.
	lade_ok copy --progress plain --dest-tls-verify=false "oci:$SMALL:latest" "docker://$REG_HTTP/skip/a:v2"
	[[ "$output" != *": done"* ]] || fail "a blob was copied again: $output"
	# Another repository of the same registry: blobs are mounted.
	lade_ok copy --progress plain --src-tls-verify=false --dest-tls-verify=false \
		"docker://$REG_HTTP/skip/a:v1" "docker://$REG_HTTP/skip/b:v1"
	[[ "$output" == *"mounted"* ]]
	[[ "$(digest_of --tls-verify=false "docker://$REG_HTTP/skip/b:v1")" == "$(digest_of --tls-verify=false "docker://$REG_HTTP/skip/a:v1")" ]]
	# Into a layout that has the blobs already, nothing is copied either.
	lade_ok copy --src-tls-verify=false "docker://$REG_HTTP/skip/a:v1" "oci:$TESTDIR/l:a"
	lade_ok copy --progress plain --src-tls-verify=false "docker://$REG_HTTP/skip/b:v1" "oci:$TESTDIR/l:b"
	[[ "$output" != *": done"* ]] || fail "a blob was copied again: $output"
}

@test "lade copy: progress goes to stderr and only where asked" {
	run --separate-stderr "$LADE" copy "oci:$SMALL:latest" "oci:$TESTDIR/l:a"
	[[ "$status" -eq 0 && -z "$output" && -z "$stderr" ]]
	run --separate-stderr "$LADE" copy --progress plain "oci:$SMALL:latest" "oci:$TESTDIR/l:b"
	[[ "$status" -eq 0 && -z "$output" ]]
	[[ "$stderr" == *"Copying blob "* && "$stderr" == *"4 blobs"* ]] || fail "no progress lines: $stderr"
	run --separate-stderr "$LADE" copy -q --progress plain "oci:$SMALL:latest" "oci:$TESTDIR/l:c"
	[[ "$status" -eq 0 && -z "$output" && -z "$stderr" ]]
}

@test "lade copy: formats, compression and --preserve-digests" {
	lade_ok copy --dest-compress-format zstd "oci:$SMALL:latest" "oci:$TESTDIR/l:zstd"
	run -0 skopeo inspect --raw "oci:$TESTDIR/l:zstd"
	[[ "$(jq -r '[.layers[].mediaType] | unique | join(",")' <<<"$output")" == "application/vnd.oci.image.layer.v1.tar+zstd" ]]
	same_rootfs "$SMALL:latest" "$TESTDIR/l:zstd"
	lade_ok copy --dest-oci-accept-uncompressed-layers "oci:$SMALL:latest" "oci:$TESTDIR/l:same"
	[[ "$(digest_of "oci:$TESTDIR/l:same")" == "$(digest_of "oci:$SMALL:latest")" ]]
	lade_fail copy --preserve-digests --format v2s2 "oci:$SMALL:latest" "dir:$TESTDIR/d"
	[[ "$output" == *"preserve-digests"* && ! -e "$TESTDIR/d" ]]
	# A Docker image under --preserve-digests goes into oci: as it is (skopeo too).
	lade_ok copy --format v2s2 "oci:$SMALL:latest" "dir:$TESTDIR/v2"
	lade_ok copy --preserve-digests "dir:$TESTDIR/v2" "oci:$TESTDIR/l:docker"
	[[ "$(digest_of "oci:$TESTDIR/l:docker")" == "$(digest_of "dir:$TESTDIR/v2")" ]]
	[[ "$("$LADE" inspect --raw "oci:$TESTDIR/l:docker" | jq -r .mediaType)" == "application/vnd.docker.distribution.manifest.v2+json" ]]
	lade_ok unpack --image "$TESTDIR/l:docker" "$TESTDIR/docker-bundle"
	lade_fail copy --format v2s1 "oci:$SMALL:latest" "dir:$TESTDIR/d"
	lade_fail copy --dest-compress-format lzma "oci:$SMALL:latest" "dir:$TESTDIR/d"
}

@test "lade copy applies the signature policy" {
	echo '{"default":[{"type":"reject"}]}' >"$TESTDIR/reject.json"
	lade_fail --policy "$TESTDIR/reject.json" copy "oci:$SMALL:latest" "oci:$TESTDIR/l:x"
	[[ "$output" == *"rejected by policy"* && ! -e "$TESTDIR/l" ]]
	lade_ok --insecure-policy --policy "$TESTDIR/reject.json" copy "oci:$SMALL:latest" "oci:$TESTDIR/l:x"
	echo '{"default":[{"type":"reject"}],"transports":{"oci":{"":[{"type":"insecureAcceptAnything"}]}}}' >"$TESTDIR/oci.json"
	lade_ok copy --policy "$TESTDIR/oci.json" "oci:$SMALL:latest" "oci:$TESTDIR/l:y"
	lade_fail copy --policy "$TESTDIR/oci.json" --dest-tls-verify=false "dir:$TESTDIR/nowhere" "oci:$TESTDIR/l:z"
	echo '{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/dev/null"}]}' >"$TESTDIR/signed.json"
	lade_fail copy --policy "$TESTDIR/signed.json" "oci:$SMALL:latest" "oci:$TESTDIR/l:w"
	[[ "$output" == *"cannot verify signatures"* ]]
	echo '{"default": [' >"$TESTDIR/bad.json"
	lade_fail copy --policy "$TESTDIR/bad.json" "oci:$SMALL:latest" "oci:$TESTDIR/l:v"
}

@test "a failed lade copy leaves the destination as it was" {
	# A source whose layer does not match its digest.
	cp -r "$SMALL" "$TESTDIR/bad"
	layer="$(jq -r '.layers[0].digest' "$TESTDIR/bad/blobs/sha256/$(jq -r '.manifests[0].digest' "$TESTDIR/bad/index.json" | cut -d: -f2)" | cut -d: -f2)"
	chmod u+w "$TESTDIR/bad/blobs/sha256/$layer"
	printf 'corrupt' >>"$TESTDIR/bad/blobs/sha256/$layer"
	lade_ok copy "oci:$SMALL:latest" "oci-archive:$TESTDIR/a.tar:t"
	lade_ok copy "oci:$SMALL:latest" "dir:$TESTDIR/d"
	# A layout that lacks the source's blobs (one it has is not read again).
	new_image "$TESTDIR/l" t
	before="$(sha256sum "$TESTDIR/a.tar" "$TESTDIR/l/index.json"; ls -l "$TESTDIR/d")"
	for dst in "oci-archive:$TESTDIR/a.tar:t" "dir:$TESTDIR/d" "oci:$TESTDIR/l:t" "docker-archive:$TESTDIR/new.tar" "oci:$TESTDIR/newlayout:t"; do
		lade_fail copy "oci:$TESTDIR/bad:latest" "$dst"
		[[ "$output" == *"verified reader "*" mismatch"* ]] || fail "unexpected error: $output"
	done
	[[ "$(sha256sum "$TESTDIR/a.tar" "$TESTDIR/l/index.json"; ls -l "$TESTDIR/d")" == "$before" ]]
	[[ ! -e "$TESTDIR/new.tar" && ! -e "$TESTDIR/newlayout" ]]
	[[ -z "$(ls -A "$TESTDIR" | grep lade-tmp)" ]]
	image-verify "$TESTDIR/l"
}

@test "lade copy writes into an existing destination as skopeo does: owner, mode, inode and mount points kept" {
	requires root
	# Directories an admin made for a group (setgid, nobody's), as skopeo
	# leaves them.
	for d in dir-la oci-la dir-sk oci-sk; do
		mkdir -m 2770 "$TESTDIR/$d"
		chown nobody:nogroup "$TESTDIR/$d"
	done
	before="$(stat -c '%U:%G %a' "$TESTDIR/dir-la")"
	skopeo --insecure-policy copy -q "oci:$SMALL:latest" "dir:$TESTDIR/dir-sk"
	skopeo --insecure-policy copy -q "oci:$SMALL:latest" "oci:$TESTDIR/oci-sk:v1"
	for d in dir oci; do
		ino="$(stat -c %i "$TESTDIR/$d-la")"
		name="$d:$TESTDIR/$d-la"
		[[ "$d" == oci ]] && name="$name:v1"
		lade_ok copy "oci:$SMALL:latest" "$name"
		lade_ok copy "oci:$SMALL:latest" "$name"
		[[ "$(stat -c '%U:%G %a %i' "$TESTDIR/$d-la")" == "$before $ino" ]] || fail "$d: $(stat -c '%U:%G %a %i' "$TESTDIR/$d-la"), was $before $ino"
		[[ "$(stat -c '%U:%G %a' "$TESTDIR/$d-sk")" == "$before" ]] || fail "skopeo changed $d-sk"
		[[ -z "$(ls -A "$TESTDIR/$d-la" | grep lade-tmp)" ]] || fail "$d: temporary files left"
	done
	# Bind-mounted archive files (a container's -v out.tar:/out.tar) are
	# written into; a failed copy leaves one as it was.
	touch "$TESTDIR/a.tar" "$TESTDIR/x.tar"
	for f in a.tar x.tar; do
		mount --bind "$TESTDIR/$f" "$TESTDIR/$f" || skip "cannot bind-mount"
		MOUNTS="${MOUNTS:-} $TESTDIR/$f"
	done
	lade_ok copy "oci:$SMALL:latest" "oci-archive:$TESTDIR/a.tar:v1"
	lade_ok copy --format v2s2 "oci:$SMALL:latest" "docker-archive:$TESTDIR/x.tar:foo/bar:v1"
	lade_ok inspect "oci-archive:$TESTDIR/a.tar:v1"
	lade_ok inspect "docker-archive:$TESTDIR/x.tar"
	skopeo inspect "docker-archive:$TESTDIR/x.tar" >/dev/null
	cp -r "$SMALL" "$TESTDIR/bad"
	layer="$(jq -r '.layers[0].digest' "$TESTDIR/bad/blobs/sha256/$(jq -r '.manifests[0].digest' "$TESTDIR/bad/index.json" | cut -d: -f2)" | cut -d: -f2)"
	chmod u+w "$TESTDIR/bad/blobs/sha256/$layer"
	printf 'corrupt' >>"$TESTDIR/bad/blobs/sha256/$layer"
	sum="$(sha256sum <"$TESTDIR/a.tar")"
	lade_fail copy "oci:$TESTDIR/bad:latest" "oci-archive:$TESTDIR/a.tar:v2"
	[[ "$(sha256sum <"$TESTDIR/a.tar")" == "$sum" ]] || fail "a failed copy changed the mounted archive"
	[[ -z "$(ls -A "$TESTDIR" | grep lade-tmp)" ]] || fail "temporary files left"
}

@test "lade copy: bad command lines are one clear line" {
	lade_fail copy "oci:$SMALL:latest"
	[[ "$output" == *"invalid number of positional arguments"* ]]
	lade_fail copy "$SMALL:latest" "oci:$TESTDIR/l:x"
	[[ "$output" == *"unknown transport"* ]]
	lade_fail copy "oci:$SMALL:latest" "docker-daemon:busybox:latest"
	lade_fail copy --sign-by ABCD "oci:$SMALL:latest" "oci:$TESTDIR/l:x"
	[[ "$output" == *"--sign-by is not supported by lade"* ]]
	lade_fail copy "oci:$SMALL:nope" "oci:$TESTDIR/l:x"
	[[ "$output" == *nope* ]]
	lade_fail copy "oci:$SMALL:latest" "docker://$REG_TLS/x:y"
	[[ "$output" == *"--dest-cert-dir"* ]]
	lade_fail copy "docker://$REG_TLS/x:y" "oci:$TESTDIR/l:x"
	[[ "$output" == *"--src-cert-dir"* ]]
	lade_fail copy --dest-cert-dir "$REG_CERTS" "oci:$SMALL:latest" "docker://$REG_TLS/x:y"
	[[ "$output" == *unauthorized* ]]
	# USERNAME alone is an empty password, as with skopeo: refused, never a prompt.
	lade_fail copy --dest-cert-dir "$REG_CERTS" --dest-creds "$REG_USER" "oci:$SMALL:latest" "docker://$REG_TLS/x:y" </dev/null
}

@test "the whole walk with one tool: registry, layout, bundle, repack, registry" {
	"$MKIMAGE" busybox "$TESTDIR/bb:latest" >&2
	skopeo --insecure-policy copy -q --dest-cert-dir "$REG_CERTS" --dest-creds "$REG_USER:$REG_PASS" \
		"oci:$TESTDIR/bb:latest" "docker://$REG_TLS/library/busybox:latest"
	lade_ok login --cert-dir "$REG_CERTS" -u "$REG_USER" -p "$REG_PASS" "$REG_TLS"
	lade_ok copy --src-cert-dir "$REG_CERTS" "docker://$REG_TLS/library/busybox:latest" "oci:$TESTDIR/img:latest"
	lade_ok unpack --image "$TESTDIR/img:latest" "$TESTDIR/bundle"
	echo changed >"$TESTDIR/bundle/rootfs/etc/walk"
	lade_ok repack --image "$TESTDIR/img:changed" "$TESTDIR/bundle"
	lade_ok copy --dest-cert-dir "$REG_CERTS" "oci:$TESTDIR/img:changed" "docker://$REG_TLS/library/busybox:changed"
	skopeo --insecure-policy copy -q --src-cert-dir "$REG_CERTS" --src-creds "$REG_USER:$REG_PASS" \
		"docker://$REG_TLS/library/busybox:changed" "oci:$TESTDIR/check:c"
	lade_ok unpack --image "$TESTDIR/check:c" "$TESTDIR/bundle2"
	[[ "$(cat "$TESTDIR/bundle2/rootfs/etc/walk")" == changed ]]
	if [[ "$(id -u)" -eq 0 ]] && command -v runc >/dev/null && [[ -d /sys/fs/cgroup ]]; then
		jq '.process.terminal = false | .process.args = ["cat", "/etc/walk"]' "$TESTDIR/bundle2/config.json" >"$TESTDIR/config.json"
		mv "$TESTDIR/config.json" "$TESTDIR/bundle2/config.json"
		id="lade-walk-$$-$RANDOM"
		run bash -c "cd '$TESTDIR/bundle2' && timeout 60 runc run '$id' </dev/null"
		runc delete --force "$id" >/dev/null 2>&1 || true
		[[ "$status" -eq 0 && "$output" == changed ]] || fail "runc: $output"
	fi
}

@test "lade unpack --image docker://... pulls and unpacks in one go" {
	skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$SMALL:latest" "docker://$REG_HTTP/pull/small:v1"
	lade_ok unpack --image "$SMALL:latest" "$TESTDIR/local"
	lade_ok unpack --tls-verify=false --layout "$TESTDIR/l" --image "docker://$REG_HTTP/pull/small:v1" "$TESTDIR/bundle"
	diff -r --no-dereference "$TESTDIR/local/rootfs" "$TESTDIR/bundle/rootfs"
	diff <(jq -S 'del(.annotations)' "$TESTDIR/local/config.json") <(jq -S 'del(.annotations)' "$TESTDIR/bundle/config.json")
	# The image is kept in the layout under its full name, and repack builds on it.
	[[ "$(tags "$TESTDIR/l")" == "$REG_HTTP/pull/small:v1" ]]
	image-verify "$TESTDIR/l"
	echo new >"$TESTDIR/bundle/rootfs/new-file"
	lade_ok repack --image "$TESTDIR/l:changed" "$TESTDIR/bundle"
	lade_ok unpack --image "$TESTDIR/l:changed" "$TESTDIR/again"
	[[ "$(cat "$TESTDIR/again/rootfs/new-file")" == new ]]
	# Without --layout, the cache; a second pull downloads nothing.
	export XDG_CACHE_HOME="$TESTDIR/cache"
	lade_ok raw unpack --tls-verify=false --image "docker://$REG_HTTP/pull/small:v1" "$TESTDIR/rootfs1"
	[[ "$(tags "$TESTDIR/cache/lade/layout")" == "$REG_HTTP/pull/small:v1" ]]
	run --separate-stderr "$LADE" raw unpack --progress plain --tls-verify=false --image "docker://$REG_HTTP/pull/small:v1" "$TESTDIR/rootfs2"
	[[ "$status" -eq 0 ]] || fail "second pull: $stderr"
	! grep -q '^Pulling blob .*: done' <<<"$stderr" || fail "the second pull downloaded: $stderr"
	grep -q '^Pulling blob .*: skipped' <<<"$stderr" || fail "no pull progress: $stderr"
	# Errors: no such tag, no bundle left; other commands refuse docker://.
	lade_fail unpack --tls-verify=false --image "docker://$REG_HTTP/pull/small:nope" "$TESTDIR/b3"
	[[ ! -e "$TESTDIR/b3" ]]
	lade_fail tag --image "docker://$REG_HTTP/pull/small:v1" x
	[[ "$output" == *"lade copy"* ]]
}
