# Offline test images, written by tools/mkimage (recipes in internal/testimage).
# Layouts live in test/.images/ (gitignored), each with the tag "latest":
#   test/.images/busybox  runnable image around Debian's static busybox
#   test/.images/small    three small layers: whiteouts, opaque dir, hardlinks, symlinks
# The bench image is cached separately under bench/.work/ (see mk/bench.mk).

IMAGES_DIR   ?= test/.images
MKIMAGE      ?= bin/mkimage
BUSYBOX      ?= /bin/busybox
MKIMAGE_SRCS := $(wildcard tools/mkimage/*.go internal/testimage/*.go) go.mod

$(MKIMAGE): $(MKIMAGE_SRCS)
	@mkdir -p $(dir $@)
	go build -o $@ ./tools/mkimage

$(BUSYBOX):
	@echo "images: $(BUSYBOX) is missing; install it with: apt-get install -y busybox-static" >&2
	@exit 1

$(IMAGES_DIR)/busybox/index.json: $(MKIMAGE) $(BUSYBOX)
	rm -rf $(IMAGES_DIR)/busybox
	BUSYBOX=$(BUSYBOX) $(MKIMAGE) busybox $(IMAGES_DIR)/busybox:latest

$(IMAGES_DIR)/small/index.json: $(MKIMAGE)
	rm -rf $(IMAGES_DIR)/small
	$(MKIMAGE) small $(IMAGES_DIR)/small:latest

.PHONY: images images-busybox images-small images-clean
images: images-busybox images-small
images-busybox: $(IMAGES_DIR)/busybox/index.json
images-small: $(IMAGES_DIR)/small/index.json
images-clean:
	rm -rf $(IMAGES_DIR)
