#!/usr/bin/env bats
# lade's registry commands (inspect, list-tags, delete, login, logout) on a
# real registry: Debian's docker-registry on 127.0.0.1, once with TLS (a CA
# made here) and htpasswd auth, once plain HTTP. skopeo 1.9 is the
# reference for output and behaviour.

load helpers
load registry

setup_file() {
	requires skopeo jq
	registry_start
	build_mkimage
	# The images every test reads: pushed by skopeo, so lade only reads here.
	"$MKIMAGE" small "$BATS_FILE_TMPDIR/small:latest" >&2
	export SMALL="$BATS_FILE_TMPDIR/small"
	skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$SMALL:latest" "docker://$REG_HTTP/small:v1"
	skopeo --insecure-policy copy -q --dest-cert-dir "$REG_CERTS" --dest-creds "$REG_USER:$REG_PASS" \
		"oci:$SMALL:latest" "docker://$REG_TLS/team/small:v1"
}

teardown_file() {
	registry_stop
}

setup() {
	requires skopeo jq
	TESTDIR="$BATS_TEST_TMPDIR"
	unset SOURCE_DATE_EPOCH REGISTRY_AUTH_FILE
	export XDG_RUNTIME_DIR="$TESTDIR/run" HOME="$TESTDIR/home"
	mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
}

# same_json A B: the two JSON texts are equal (keys sorted).
same_json() {
	diff <(jq -S . <<<"$1") <(jq -S . <<<"$2") >&2
}

@test "lade inspect of a registry image prints what skopeo prints (plus LayersData)" {
	lade_ok inspect --tls-verify=false "docker://$REG_HTTP/small:v1"
	got="$output"
	run -0 skopeo inspect --tls-verify=false "docker://$REG_HTTP/small:v1"
	same_json "$(jq 'del(.LayersData)' <<<"$got")" "$output"
	[[ "$(jq -r '.LayersData[0].MIMEType' <<<"$got")" == "application/vnd.oci.image.layer.v1.tar+gzip" ]]
	[[ "$(jq -r '.Name' <<<"$got")" == "$REG_HTTP/small" ]]
	[[ "$(jq -c '.RepoTags' <<<"$got")" == '["v1"]' ]]
	# --raw is the manifest exactly as stored; --config the configuration.
	lade_ok inspect --tls-verify=false --raw "docker://$REG_HTTP/small:v1"
	[[ "$output" == "$(skopeo inspect --tls-verify=false --raw "docker://$REG_HTTP/small:v1")" ]]
	lade_ok inspect --config "docker://$REG_HTTP/small:v1" --tls-verify=false
	same_json "$output" "$(skopeo inspect --tls-verify=false --config "docker://$REG_HTTP/small:v1")"
	lade_ok inspect --tls-verify=false --format '{{.Digest}} {{len .Layers}}' "docker://$REG_HTTP/small:v1"
	[[ "$output" == "$(skopeo inspect --tls-verify=false --format '{{.Digest}} {{len .Layers}}' "docker://$REG_HTTP/small:v1")" ]]
	lade_fail inspect --raw --format '{{.Digest}}' --tls-verify=false "docker://$REG_HTTP/small:v1"
	[[ "$output" == *"raw output does not support format option"* ]]
}

@test "lade inspect of every local transport agrees with skopeo" {
	skopeo --insecure-policy copy -q "oci:$SMALL:latest" "oci-archive:$TESTDIR/a.tar:t"
	skopeo --insecure-policy copy -q "oci:$SMALL:latest" "dir:$TESTDIR/d"
	skopeo --insecure-policy copy -q "oci:$SMALL:latest" "docker-archive:$TESTDIR/d.tar:foo/bar:v1"
	for name in "oci:$SMALL:latest" "oci:$SMALL" "oci-archive:$TESTDIR/a.tar:t" "dir:$TESTDIR/d"; do
		lade_ok inspect "$name"
		same_json "$(jq 'del(.LayersData)' <<<"$output")" "$(skopeo inspect "$name")"
		lade_ok inspect --config "$name"
		same_json "$output" "$(skopeo inspect --config "$name")"
	done
	# docker-archive: lade synthesizes the manifest of a legacy archive with
	# other layer media types than skopeo does, so its Digest differs.
	lade_ok inspect "docker-archive:$TESTDIR/d.tar"
	same_json "$(jq 'del(.LayersData, .Digest)' <<<"$output")" "$(skopeo inspect "docker-archive:$TESTDIR/d.tar" | jq 'del(.Digest)')"
}

@test "lade inspect: TLS and authentication errors are one line with a hint" {
	lade_fail inspect "docker://$REG_TLS/team/small:v1"
	[[ "$output" == *"x509: certificate signed by unknown authority"*"--cert-dir"* ]]
	lade_fail inspect "docker://$REG_HTTP/small:v1"
	[[ "$output" == *"--tls-verify=false"* ]]
	lade_fail inspect --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"
	[[ "$output" == *"unauthorized"* ]]
	lade_fail inspect --cert-dir "$REG_CERTS" --creds "$REG_USER:wrong" "docker://$REG_TLS/team/small:v1"
	[[ "$output" == *"unauthorized"* && "$output" != *wrong* ]]
	lade_ok inspect --cert-dir "$REG_CERTS" --creds "$REG_USER:$REG_PASS" "docker://$REG_TLS/team/small:v1"
	lade_ok inspect --cert-dir "$REG_CERTS" --username "$REG_USER" --password "$REG_PASS" "docker://$REG_TLS/team/small:v1"
	# The registry's error code, as skopeo prints it: CI scripts grep for it.
	lade_fail inspect --tls-verify=false "docker://$REG_HTTP/small:nope"
	[[ "$output" == *"read manifest nope in $REG_HTTP/small: manifest unknown: manifest unknown" ]] || fail "$output"
	lade_fail inspect "docker-daemon:busybox:latest"
	[[ "$output" == *'unknown transport "docker-daemon"'* ]]
}

@test "lade login, logout and the credentials files, as skopeo" {
	auth="$TESTDIR/auth.json"
	lade_ok login --authfile "$auth" --cert-dir "$REG_CERTS" -u "$REG_USER" -p "$REG_PASS" "$REG_TLS"
	[[ "$output" == "Login Succeeded!" ]]
	[[ "$(stat -c %a "$auth")" == 600 ]]
	# skopeo reads what lade wrote, and lade what skopeo writes.
	run -0 skopeo inspect --authfile "$auth" --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"
	lade_ok login --authfile "$auth" --get-login "$REG_TLS"
	[[ "$output" == "$REG_USER" ]]
	lade_ok login --authfile "$auth" --cert-dir "$REG_CERTS" "$REG_TLS" </dev/null
	[[ "${lines[1]}" == "Existing credentials are valid. Already logged in to $REG_TLS" ]]
	lade_ok inspect --authfile "$auth" --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"
	lade_ok logout --authfile "$auth" "$REG_TLS"
	[[ "$output" == "Removed login credentials for $REG_TLS" ]]
	lade_fail logout --authfile "$auth" "$REG_TLS"
	[[ "$output" == *"not logged into $REG_TLS"* ]]
	lade_fail inspect --authfile "$auth" --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"

	# A wrong password is refused and nothing is written.
	lade_fail login --authfile "$TESTDIR/new.json" --cert-dir "$REG_CERTS" -u "$REG_USER" -p wrong "$REG_TLS"
	[[ "$output" == *"invalid username or password"* && "$output" != *wrong* ]]
	[[ ! -e "$TESTDIR/new.json" ]]
	# --password-stdin, and the default file ${XDG_RUNTIME_DIR}/containers/auth.json.
	run -0 "$LADE" login --cert-dir "$REG_CERTS" -u "$REG_USER" --password-stdin "$REG_TLS" <<<"$REG_PASS"
	[[ -f "$XDG_RUNTIME_DIR/containers/auth.json" ]]
	run -0 skopeo inspect --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"
	lade_ok inspect --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"
	lade_fail login -u x --password-stdin -p y "$REG_TLS"
	[[ "$output" == *"can't specify both --password-stdin and --password"* ]]
	lade_ok logout --all
	[[ "$output" == "Removed login credentials for all registries" ]]
	lade_fail inspect --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"

	# skopeo login, lade reads; REGISTRY_AUTH_FILE is honoured.
	skopeo login --authfile "$TESTDIR/sk.json" --cert-dir "$REG_CERTS" -u "$REG_USER" -p "$REG_PASS" "$REG_TLS"
	REGISTRY_AUTH_FILE="$TESTDIR/sk.json" lade_ok inspect --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"
}

@test "registry credentials: error texts and names as skopeo's (F19)" {
	auth="$TESTDIR/auth.json"
	lade_ok login --authfile "$auth" --cert-dir "$REG_CERTS" -u "$REG_USER" -p "$REG_PASS" "$REG_TLS"
	# logout prints the normalized name, as skopeo.
	lade_ok logout --authfile "$auth" "https://$REG_TLS/"
	[[ "$output" == "Removed login credentials for $REG_TLS" ]] || fail "$output"
	# docker://HOST is a transport, not a registry.
	lade_fail login --authfile "$auth" -u a -p b "docker://$REG_TLS"
	[[ "$output" == *"invalid registry \"docker://$REG_TLS\": expected HOST[:PORT][/REPOSITORY] without \"docker://\"" ]] || fail "$output"
	# A token at a registry that asks for basic authentication.
	lade_fail inspect --cert-dir "$REG_CERTS" --registry-token T "docker://$REG_TLS/team/small:v1"
	[[ "$output" == *"unauthorized: the registry asks for a user name and password (basic authentication), and only a token was given" ]] || fail "$output"
	[[ "${#lines[@]}" -eq 1 ]]
	# An empty password is sent, as skopeo sends it, and refused.
	lade_fail copy --dest-cert-dir "$REG_CERTS" "--dest-creds=$REG_USER:" "oci:$SMALL:latest" "docker://$REG_TLS/team/empty:v1"
	[[ "$output" == *"unauthorized"* && "$output" != *"missing username or password"* ]] || fail "$output"
	[[ "${#lines[@]}" -eq 1 ]]
}

@test "lade reads Docker's config.json and its credential helpers" {
	mkdir -p "$HOME/.docker" "$TESTDIR/bin"
	# A credential helper speaking Docker's protocol: "get" reads the server
	# on stdin and prints the credentials as JSON.
	cat >"$TESTDIR/bin/docker-credential-ladetest" <<-HELPER
		#!/bin/sh
		[ "\$1" = get ] || exit 1
		read server
		printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "\$server" "$REG_USER" "$REG_PASS"
	HELPER
	chmod +x "$TESTDIR/bin/docker-credential-ladetest"
	echo "{\"credHelpers\": {\"$REG_TLS\": \"ladetest\"}}" >"$HOME/.docker/config.json"
	PATH="$TESTDIR/bin:$PATH" lade_ok inspect --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"
	# Plain "auths" entries in Docker's file work too.
	echo "{\"auths\": {\"$REG_TLS\": {\"auth\": \"$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)\"}}}" >"$HOME/.docker/config.json"
	lade_ok inspect --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"
}

@test "lade never prints a password, even at --log=debug" {
	auth="$TESTDIR/auth.json"
	run "$LADE" --log=debug login --authfile "$auth" --cert-dir "$REG_CERTS" -u "$REG_USER" -p "$REG_PASS" "$REG_TLS"
	[[ "$status" -eq 0 && "$output" != *"$REG_PASS"* ]]
	b64="$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)"
	for args in "inspect --authfile $auth" "inspect --creds $REG_USER:$REG_PASS" "list-tags --creds $REG_USER:$REG_PASS"; do
		ref="docker://$REG_TLS/team/small:v1"
		[[ "$args" == list-tags* ]] && ref="docker://$REG_TLS/team/small"
		run "$LADE" --log=debug $args --cert-dir "$REG_CERTS" "$ref"
		[[ "$status" -eq 0 ]] || fail "$args: $output"
		[[ "$output" != *"$REG_PASS"* && "$output" != *"$b64"* ]] || fail "$args printed a secret"
	done
	run "$LADE" --log=debug inspect --creds "$REG_USER:$REG_PASS-wrong" --cert-dir "$REG_CERTS" "docker://$REG_TLS/team/small:v1"
	[[ "$status" -eq 1 && "$output" != *"$REG_PASS"* ]]
}

@test "lade list-tags prints what skopeo prints" {
	skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$SMALL:latest" "docker://$REG_HTTP/tags:a"
	skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$SMALL:latest" "docker://$REG_HTTP/tags:b"
	lade_ok list-tags --tls-verify=false "docker://$REG_HTTP/tags"
	[[ "$output" == "$(skopeo list-tags --tls-verify=false "docker://$REG_HTTP/tags")" ]]
	[[ "$(jq -c '.Tags | sort' <<<"$output")" == '["a","b"]' ]]
	skopeo --insecure-policy copy -q --additional-tag foo/baz:v3 "oci:$SMALL:latest" "docker-archive:$TESTDIR/x.tar:foo/bar:v1"
	lade_ok list-tags "docker-archive:$TESTDIR/x.tar"
	[[ "$output" == "$(skopeo list-tags "docker-archive:$TESTDIR/x.tar")" ]]
	lade_fail list-tags --tls-verify=false "docker://$REG_HTTP/tags:a"
	lade_fail list-tags "oci:$SMALL"
	[[ "$output" == *"only docker and docker-archive"* ]]
	lade_fail list-tags --tls-verify=false "docker://$REG_HTTP/nothere"
	lade_fail list-tags --tls-verify=false
}

@test "lade delete removes a manifest from the registry, as skopeo" {
	skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$SMALL:latest" "docker://$REG_HTTP/del:a"
	lade_ok delete --tls-verify=false "docker://$REG_HTTP/del:a"
	[[ -z "$output" ]]
	run skopeo inspect --tls-verify=false "docker://$REG_HTTP/del:a"
	[[ "$status" -ne 0 ]]
	lade_fail delete --tls-verify=false "docker://$REG_HTTP/del:a"
	[[ "$output" == *"manifest unknown"* ]]
	lade_fail delete "oci:$SMALL:latest"
	[[ "$output" == *"not implemented for oci: images"* ]]
}

@test "skopeo's flags lade does not implement fail clearly" {
	lade_fail inspect --daemon-host unix:///x "docker://$REG_HTTP/small:v1"
	[[ "$output" == *"--daemon-host is not supported by lade"* ]]
}

@test "lade reads the registry's CA from /etc/containers/certs.d/HOST:PORT" {
	requires root
	dir="/etc/containers/certs.d/$REG_TLS"
	[[ ! -e "$dir" ]] || skip "$dir already exists"
	mkdir -p "$dir"
	cp "$REG_CERTS/ca.crt" "$dir/ca.crt"
	run "$LADE" inspect --creds "$REG_USER:$REG_PASS" "docker://$REG_TLS/team/small:v1"
	rm -rf "$dir"
	[[ "$status" -eq 0 ]] || fail "inspect with certs.d: $output"
	# And without it the certificate is unknown again.
	lade_fail inspect --creds "$REG_USER:$REG_PASS" "docker://$REG_TLS/team/small:v1"
	[[ "$output" == *x509* ]]
}
