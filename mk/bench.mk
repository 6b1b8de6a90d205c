# make bench: lade vs Debian's umoci (and tar for unpack) on the cached bench
# image, then lade copy vs skopeo copy through a local registry; see
# bench/bench.sh and bench/registry.sh. Results: stdout, bench/results.md
# and bench/results-registry.md.
#   make bench LADE=umoci    # dry run of the harness with umoci standing in
#   make bench REPS=1        # quicker, noisier
# make bench-scale: unpack of the at-scale image (this machine's files) on
# disk, lade vs umoci vs tar; see bench/bench-scale.sh (about 15 minutes).
#   make bench-scale SCALE_REPS=3 PIGZ=1
# make bench-pull: the at-scale image pulled from a local registry and
# unpacked: lade in one pass vs lade copy + unpack vs skopeo copy + umoci
# unpack; see bench/pull-scale.sh.

LADE    ?= bin/lade
MKIMAGE ?= bin/mkimage
REPS    ?= 3
SCALE_REPS ?= 5
PIGZ    ?= 0

.PHONY: bench bench-scale bench-pull bench-image bench-clean
# The registry part runs BENCH_REPS times (default 5), or REPS when REPS
# is given; umoci standing in for lade has no copy, so a dry run skips it.
REGISTRY_REPS = $(or $(BENCH_REPS),$(if $(filter command line environment,$(origin REPS)),$(REPS),5))
bench: build $(MKIMAGE)
	LADE=$(LADE) MKIMAGE=$(MKIMAGE) REPS=$(REPS) bash bench/bench.sh
	@if [ "$(notdir $(LADE))" = umoci ]; then \
		echo "bench: registry part skipped (umoci has no copy command)"; \
	else \
		echo "LADE=$(LADE) REPS=$(REGISTRY_REPS) bash bench/registry.sh"; \
		LADE=$(LADE) REPS=$(REGISTRY_REPS) bash bench/registry.sh; \
	fi

bench-scale: build $(MKIMAGE)
	LADE=$(LADE) MKIMAGE=$(MKIMAGE) REPS=$(SCALE_REPS) PIGZ=$(PIGZ) bash bench/bench-scale.sh

bench-pull: build $(MKIMAGE)
	LADE=$(LADE) MKIMAGE=$(MKIMAGE) REPS=$(SCALE_REPS) bash bench/pull-scale.sh

bench-image: $(MKIMAGE)
	$(MKIMAGE) bench bench/.work/image:bench

bench-clean:
	rm -rf bench/.work

# make bench-registry: lade copy vs skopeo copy through a local registry
# (bench/registry.sh; results in bench/results-registry.md), alone; make
# bench runs it after bench/bench.sh.
.PHONY: bench-registry
bench-registry: build
	LADE=$(LADE) REPS=$(REGISTRY_REPS) bash bench/registry.sh
