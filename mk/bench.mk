# make bench: lade vs Debian's umoci (and tar for unpack) on the cached bench
# image; see bench/bench.sh. Results: stdout and bench/results.md.
#   make bench LADE=umoci    # dry run of the harness with umoci standing in
#   make bench REPS=1        # quicker, noisier

LADE    ?= bin/lade
MKIMAGE ?= bin/mkimage
REPS    ?= 3

.PHONY: bench bench-image bench-clean
bench: build $(MKIMAGE)
	LADE=$(LADE) MKIMAGE=$(MKIMAGE) REPS=$(REPS) bash bench/bench.sh

bench-image: $(MKIMAGE)
	$(MKIMAGE) bench bench/.work/image:bench

bench-clean:
	rm -rf bench/.work

# make bench-registry: lade copy vs skopeo copy through a local registry
# (bench/registry.sh; results in bench/results-registry.md).
.PHONY: bench-registry
bench-registry: build
	LADE=$(LADE) REPS=$(or $(BENCH_REPS),5) bash bench/registry.sh
