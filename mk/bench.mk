# make bench: lade vs Debian's umoci (and tar for unpack) on the cached bench
# image; see bench/bench.sh. Results: stdout and bench/results.md.
#   make bench LADE=umoci    # dry run of the harness with umoci standing in
#   make bench REPS=1        # quicker, noisier
# make bench-scale: unpack of the at-scale image (this machine's files) on
# disk, lade vs umoci vs tar; see bench/bench-scale.sh (about 15 minutes).
#   make bench-scale SCALE_REPS=3 PIGZ=1

LADE    ?= bin/lade
MKIMAGE ?= bin/mkimage
REPS    ?= 3
SCALE_REPS ?= 5
PIGZ    ?= 0

.PHONY: bench bench-scale bench-image bench-clean
bench: build $(MKIMAGE)
	LADE=$(LADE) MKIMAGE=$(MKIMAGE) REPS=$(REPS) bash bench/bench.sh

bench-scale: build $(MKIMAGE)
	LADE=$(LADE) MKIMAGE=$(MKIMAGE) REPS=$(SCALE_REPS) PIGZ=$(PIGZ) bash bench/bench-scale.sh

bench-image: $(MKIMAGE)
	$(MKIMAGE) bench bench/.work/image:bench

bench-clean:
	rm -rf bench/.work

# make bench-registry: lade copy vs skopeo copy through a local registry
# (bench/registry.sh; results in bench/results-registry.md).
.PHONY: bench-registry
bench-registry: build
	LADE=$(LADE) REPS=$(or $(BENCH_REPS),5) bash bench/registry.sh
