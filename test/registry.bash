#!/bin/bash
# Registry helpers for bats files that talk to a real registry: Debian's
# docker-registry (the distribution registry 2.8) on 127.0.0.1, started once
# per file from setup_file and stopped from teardown_file:
#
#   setup_file()    { registry_start; }
#   teardown_file() { registry_stop; }
#
# registry_start starts two instances and exports:
#   REG_TLS      HOST:PORT of the TLS instance (htpasswd basic auth,
#                certificate from a CA made here with openssl)
#   REG_USER, REG_PASS  its credentials
#   REG_CERTS    a cert dir with that CA (ca.crt), for --*-cert-dir
#   REG_HTTP     HOST:PORT of the plain-HTTP instance (no auth)
#   REG_DIR      where both keep their files (configs, logs, storage)

# registry_free_port: print a TCP port on 127.0.0.1 that nothing listens on.
registry_free_port() {
	local port
	for _ in $(seq 1 50); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "registry_free_port: no free port found" >&2
	return 1
}

# registry_make_ca DIR: a CA and a server certificate for 127.0.0.1 and
# localhost in DIR (ca.crt, server.crt, server.key).
registry_make_ca() {
	local dir="$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$dir/ca.key" -out "$dir/ca.crt" -days 2 -subj "/CN=lade test CA" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
		-CAcreateserial -out "$dir/server.crt" -days 2 \
		-extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n') 2>/dev/null
}

# registry_config NAME PORT [TLS]: write $REG_DIR/NAME.yml, a docker-registry
# config listening on 127.0.0.1:PORT with storage in $REG_DIR/NAME-data;
# with TLS also certificate and htpasswd auth.
registry_config() {
	local name="$1" port="$2" tls="${3:-}"
	{
		cat <<-YML
			version: 0.1
			log:
			  level: warn
			  accesslog:
			    disabled: true
			storage:
			  filesystem:
			    rootdirectory: $REG_DIR/$name-data
			  delete:
			    enabled: true
			  maintenance:
			    uploadpurging:
			      enabled: false
			http:
			  addr: 127.0.0.1:$port
			  secret: lade-test-secret
		YML
		if [[ -n "$tls" ]]; then
			cat <<-YML
				  tls:
				    certificate: $REG_DIR/server.crt
				    key: $REG_DIR/server.key
				auth:
				  htpasswd:
				    realm: lade-test
				    path: $REG_DIR/htpasswd
			YML
		fi
	} >"$REG_DIR/$name.yml"
}

# registry_wait PORT PIDFILE LOG: wait until the registry accepts
# connections (or died).
registry_wait() {
	local port="$1" pid="$2" log="$3"
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "registry on port $port died:" >&2
			cat "$log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "registry on port $port did not start:" >&2
	cat "$log" >&2
	return 1
}

# registry_launch NAME PORT [TLS]: start one instance in the background.
registry_launch() {
	local name="$1" port="$2"
	registry_config "$@"
	docker-registry serve "$REG_DIR/$name.yml" >"$REG_DIR/$name.log" 2>&1 &
	echo $! >"$REG_DIR/$name.pid"
	registry_wait "$port" "$(cat "$REG_DIR/$name.pid")" "$REG_DIR/$name.log"
}

registry_start() {
	command -v docker-registry >/dev/null || skip "test requires docker-registry"
	command -v openssl >/dev/null || skip "test requires openssl"
	command -v htpasswd >/dev/null || skip "test requires htpasswd (apache2-utils)"
	export REG_DIR="$BATS_FILE_TMPDIR/registry"
	mkdir -p "$REG_DIR/certs"
	registry_make_ca "$REG_DIR"
	cp "$REG_DIR/ca.crt" "$REG_DIR/certs/ca.crt"
	export REG_CERTS="$REG_DIR/certs"
	export REG_USER=lade REG_PASS="s3cret-$RANDOM$RANDOM"
	htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$REG_DIR/htpasswd" 2>/dev/null
	local tls_port http_port
	tls_port=$(registry_free_port)
	registry_launch tls "$tls_port" tls
	http_port=$(registry_free_port)
	registry_launch http "$http_port"
	export REG_TLS="127.0.0.1:$tls_port" REG_HTTP="127.0.0.1:$http_port"
}

registry_stop() {
	local pidfile
	for pidfile in "$REG_DIR"/*.pid; do
		[[ -e "$pidfile" ]] || continue
		kill "$(cat "$pidfile")" 2>/dev/null || true
		wait "$(cat "$pidfile")" 2>/dev/null || true
		rm -f "$pidfile"
	done
}
