#!/usr/bin/env bats
# Failing tests from the review of lade's skopeo-compatible commands against
# skopeo 1.9.3 (/work/notes/review-findings.md). Each test names its finding
# ("F1" ...) and fails until that finding is fixed.

load helpers
load registry

setup_file() {
	requires skopeo jq
	build_mkimage
	"$MKIMAGE" small "$BATS_FILE_TMPDIR/small:latest" >&2
	export SMALL="$BATS_FILE_TMPDIR/small"
}

setup() {
	requires skopeo jq
	TESTDIR="$BATS_TEST_TMPDIR"
	unset SOURCE_DATE_EPOCH REGISTRY_AUTH_FILE
	export XDG_RUNTIME_DIR="$TESTDIR/run" HOME="$TESTDIR/home"
	mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
}

teardown() {
	if [[ -n "${MNT:-}" ]] && mountpoint -q "$MNT"; then
		umount "$MNT"
	fi
	if [[ -n "${SHARED:-}" ]]; then
		rm -rf "$SHARED"
	fi
	if [[ -n "${SERVER_PID:-}" ]]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
}

# start_503_server: a registry on 127.0.0.1 whose /v2/ answers 200 and every
# other request 503; it counts the manifest requests in $TESTDIR/count (from
# 0 again when the file is removed).
# Sets PORT and SERVER_PID.
start_503_server() {
	requires python3
	PORT="$(registry_free_port)"
	cat >"$TESTDIR/server.py" <<-'PY'
		import http.server, sys
		class H(http.server.BaseHTTPRequestHandler):
		    def answer(self):
		        if self.path == "/v2/":
		            self.send_response(200)
		            self.send_header("Content-Length", "2")
		            self.end_headers()
		            self.wfile.write(b"{}")
		            return
		        if "/manifests/" in self.path:
		            # Counts from 0 again once the test removed the file.
		            try:
		                with open(sys.argv[2]) as f:
		                    n = int(f.read())
		            except OSError:
		                n = 0
		            with open(sys.argv[2], "w") as f:
		                f.write(str(n + 1))
		        self.send_response(503)
		        self.send_header("Content-Length", "0")
		        self.end_headers()
		    do_GET = do_HEAD = answer
		    def log_message(self, *args):
		        pass
		http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
	PY
	python3 "$TESTDIR/server.py" "$PORT" "$TESTDIR/count" &
	SERVER_PID=$!
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
		sleep 0.1
	done
	fail "the 503 server did not start"
}

@test "F1: --retry-times 0 retries nothing, and a copy does not retry the retries" {
	start_503_server
	rm -f "$TESTDIR/count"
	lade_fail inspect --retry-times 0 --tls-verify=false "docker://127.0.0.1:$PORT/app:v1"
	[[ "$(cat "$TESTDIR/count")" -eq 1 ]] || fail "inspect --retry-times 0 asked for the manifest $(cat "$TESTDIR/count") times"
	rm -f "$TESTDIR/count"
	lade_fail copy --retry-times 0 --src-tls-verify=false "docker://127.0.0.1:$PORT/app:v1" "oci:$TESTDIR/l:x"
	[[ "$(cat "$TESTDIR/count")" -eq 1 ]] || fail "copy --retry-times 0 asked for the manifest $(cat "$TESTDIR/count") times"
	# One retry is two requests, not two retries of two.
	rm -f "$TESTDIR/count"
	lade copy -q --retry-times 1 --src-tls-verify=false "docker://127.0.0.1:$PORT/app:v1" "oci:$TESTDIR/l:x"
	[[ "$status" -eq 1 ]]
	[[ "$(cat "$TESTDIR/count")" -le 2 ]] || fail "copy --retry-times 1 asked for the manifest $(cat "$TESTDIR/count") times"
}

@test "F2: a copy to a registry nobody listens on does not print a line per blob and retry" {
	port="$(registry_free_port)"
	# The small image has four blobs; the default is 3 retries: at most
	# three retry warnings and the error, whatever the number of blobs.
	lade copy -q "oci:$SMALL:latest" "docker://127.0.0.1:$port/app:v1"
	[[ "$status" -eq 1 ]]
	[[ "${#lines[@]}" -le 4 ]] || fail "connection refused printed ${#lines[@]} lines"
	[[ "${lines[-1]}" == *"connection refused"* ]]
}

@test "F6: --help after the arguments prints the command's help, as skopeo and umoci do" {
	for args in "copy oci:a oci:b --help" "copy --help oci:a oci:b" "inspect oci:a -h" \
		"list-tags docker://127.0.0.1:1/x --help" "login --help 127.0.0.1:1" "unpack --help bundle"; do
		run "$LADE" $args
		[[ "$status" -eq 0 ]] || fail "lade $args exited $status: $output"
		[[ "$output" == *"USAGE:"* ]] || fail "lade $args printed no help: '$output'"
	done
}

@test "F5: docker-archive:PATH:NAME without a tag means NAME:latest, as in skopeo" {
	skopeo --insecure-policy copy -q "oci:$SMALL:latest" "docker-archive:$TESTDIR/sk.tar:foo/bar"
	lade_ok copy "oci:$SMALL:latest" "docker-archive:$TESTDIR/la.tar:foo/bar"
	cmp "$TESTDIR/sk.tar" "$TESTDIR/la.tar"
	lade_ok inspect --format '{{.Digest}}' "docker-archive:$TESTDIR/sk.tar:foo/bar"
	lade_ok copy "docker-archive:$TESTDIR/sk.tar:foo/bar" "oci:$TESTDIR/l:x"
}

@test "F7: list-tags of a docker save archive prints its RepoTags as stored, as skopeo" {
	# docker save writes familiar names ("busybox:latest").
	lade_ok copy --additional-tag foo/baz:v3 "oci:$SMALL:latest" "docker-archive:$TESTDIR/x.tar:foo/bar:v1"
	mkdir "$TESTDIR/x"
	tar -xf "$TESTDIR/x.tar" -C "$TESTDIR/x"
	jq -c '.[0].RepoTags = ["busybox:latest", "foo/baz:v3"]' "$TESTDIR/x/manifest.json" >"$TESTDIR/m.json"
	mv "$TESTDIR/m.json" "$TESTDIR/x/manifest.json"
	(cd "$TESTDIR/x" && tar -cf "$TESTDIR/saved.tar" ./*)
	want="$(skopeo list-tags "docker-archive:$TESTDIR/saved.tar")"
	[[ "$(jq -c .Tags <<<"$want")" == '["busybox:latest","foo/baz:v3"]' ]]
	lade_ok list-tags "docker-archive:$TESTDIR/saved.tar"
	[[ "$output" == "$want" ]] || fail "lade list-tags printed $output, skopeo $want"
}

@test "F3: a destination the user may write into is written, even when its parent is not writable" {
	requires root setpriv
	# A directory and an archive that belong to nobody, in a directory that
	# does not; nobody copies into them, as skopeo does.
	SHARED="$(mktemp -d /tmp/lade-compat-review.XXXXXX)"
	chmod 755 "$SHARED"
	cp -r "$SMALL" "$SHARED/src"
	chmod -R a+rX "$SHARED/src"
	mkdir "$SHARED/layout" "$SHARED/dir"
	touch "$SHARED/image.tar"
	chown nobody: "$SHARED/layout" "$SHARED/dir" "$SHARED/image.tar"
	for dst in "oci:$SHARED/layout:v1" "dir:$SHARED/dir" "oci-archive:$SHARED/image.tar:v1"; do
		run setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$SHARED" \
			"$LADE" copy "oci:$SHARED/src:latest" "$dst"
		[[ "$status" -eq 0 ]] || fail "nobody: lade copy to $dst: $output"
	done
	[[ "$(stat -c %U "$SHARED/layout")" == nobody ]]
	"$LADE" inspect "oci:$SHARED/layout:v1" >/dev/null
	"$LADE" inspect "dir:$SHARED/dir" >/dev/null
	"$LADE" inspect "oci-archive:$SHARED/image.tar:v1" >/dev/null
}

@test "F3: a destination that is a mount point (a volume) is written into, as skopeo does" {
	requires root
	MNT="$TESTDIR/mnt"
	mkdir "$MNT"
	mount -t tmpfs tmpfs "$MNT" || skip "cannot mount tmpfs"
	lade_ok copy "oci:$SMALL:latest" "dir:$MNT"
	lade_ok inspect "dir:$MNT"
	umount "$MNT"
	mount -t tmpfs tmpfs "$MNT"
	lade_ok copy "oci:$SMALL:latest" "oci:$MNT:v1"
	image-verify "$MNT"
}

@test "F10: the --format examples of lade inspect --help work" {
	run -0 "$LADE" inspect --help
	mapfile -t examples < <(grep -o '"{{[^"]*}}"' <<<"$output" | tr -d '"')
	[[ "${#examples[@]}" -gt 0 ]]
	for f in "${examples[@]}"; do
		lade inspect --format "$f" "oci:$SMALL:latest"
		[[ "$status" -eq 0 ]] || fail "the help's example --format '$f' fails: $output"
	done
}
