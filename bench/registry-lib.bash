# Shared by the registry benchmarks (bench/registry.sh, bench/pull-scale.sh):
# start Debian's docker-registry on 127.0.0.1 (plain HTTP, storage under
# $BASE). The caller sets BASE, PIDS=() and die(), and calls stop_registries
# when it exits; start_registry runs in the caller's shell (not in $(...),
# which would lose the pid) and sets REGISTRY to HOST:PORT.

free_port() {
	local port
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
	done
	die "no free port"
}

start_registry() { # NAME: start one, set REGISTRY to HOST:PORT
	local port
	port=$(free_port)
	cat >"$BASE/$1.yml" <<-YML
		version: 0.1
		log:
		  level: error
		  accesslog:
		    disabled: true
		storage:
		  filesystem:
		    rootdirectory: $BASE/$1-data
		  delete:
		    enabled: true
		http:
		  addr: 127.0.0.1:$port
		  secret: lade-bench
	YML
	docker-registry serve "$BASE/$1.yml" >"$BASE/$1.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			REGISTRY=127.0.0.1:$port
			return
		fi
		sleep 0.1
	done
	cat "$BASE/$1.log" >&2
	die "registry $1 did not start"
}

stop_registries() { # kill and reap every registry start_registry started
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
