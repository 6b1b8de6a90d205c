// Command mkimage writes the offline test images of lade into OCI layouts:
//
//	go run ./tools/mkimage busybox LAYOUT:TAG   # runnable image from /bin/busybox
//	go run ./tools/mkimage small   LAYOUT:TAG   # three small layers for CLI tests
//	go run ./tools/mkimage bench   LAYOUT:TAG   # large benchmark image (cached)
//	go run ./tools/mkimage scale   LAYOUT:TAG [DIV] # at-scale image of this machine's files (cached)
//	go run ./tools/mkimage tree    DIR N BYTES  # deterministic directory for insert benchmarks
//
// The recipes live in internal/testimage; this command only parses
// arguments and prints what it wrote. It must not import other lade packages.
package main
