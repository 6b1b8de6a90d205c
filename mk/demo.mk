# make demo: build lade, build the busybox image offline, unpack it with lade
# into a runtime bundle and run it with runc. LADE=umoci shows the same flow
# with umoci. Everything happens in a temporary directory that is removed.

LADE       ?= bin/lade
IMAGES_DIR ?= test/.images

define DEMO_SH
set -euo pipefail
lade=$$1 image=$$2
work=$$(mktemp -d /tmp/lade-demo.XXXXXX)
id=lade-demo-$$$$-$$RANDOM
cleanup() { runc delete --force "$$id" >/dev/null 2>&1 || true; rm -rf "$$work"; }
trap cleanup EXIT
step() { printf '\n\033[1m$$ %s\033[0m\n' "$$*"; }
run() { step "$$*"; "$$@"; }

run "$$lade" ls --layout "$$image"
run "$$lade" stat --image "$$image:latest"
run "$$lade" unpack --image "$$image:latest" "$$work/bundle"
run ls -l "$$work/bundle"
run ls -l "$$work/bundle/rootfs"
run ls -C -w 100 "$$work/bundle/rootfs/bin"
step "jq .process "$$work/bundle/config.json
jq -c '{args: .process.args, env: .process.env, cwd: .process.cwd, user: .process.user}' "$$work/bundle/config.json"

# Non-interactive run: no terminal.
jq '.process.terminal = false' "$$work/bundle/config.json" > "$$work/config.json"
mv "$$work/config.json" "$$work/bundle/config.json"
why=""
if ! command -v runc >/dev/null; then
	why="runc is not installed (apt-get install runc)"
elif [ "$$(id -u)" != 0 ]; then
	why="runc needs root for a bundle unpacked without --rootless"
fi
if [ -z "$$why" ]; then
	step "cd $$work/bundle && runc run $$id"
	if out=$$(cd "$$work/bundle" && timeout 60 runc run "$$id" 2>"$$work/runc.err" </dev/null); then
		printf '%s\n' "$$out" | sed 's/^/container> /'
		printf '\n\033[1mdemo ok:\033[0m the image built offline, unpacked by %s, ran under runc.\n' "$$lade"
		exit 0
	fi
	why="runc could not run the container here: $$(tail -n 3 "$$work/runc.err" | tr '\n' ' ')"
fi
printf '\n\033[1mdemo: not running the container:\033[0m %s\n' "$$why"
printf 'The unpacked bundle above is complete; on a machine with runc and root, run it with: cd BUNDLE && runc run ID\n'
endef
export DEMO_SH

.PHONY: demo demo-deps
# What the demo needs beyond Go: installed when missing (as root on Debian).
demo-deps:
	@scripts/ensure-debian-packages busybox-static runc jq

demo: demo-deps build $(IMAGES_DIR)/busybox/index.json
	@bash -c "$$DEMO_SH" demo $(LADE) $(IMAGES_DIR)/busybox
