package main

// manualsIndexRaw: the index and raw command groups.
func manualsIndexRaw() map[string]manual {
	return map[string]manual{
		"index": {
			examples: []example{
				{"Build a multi-platform image from two tagged images and list its entries:", `lade index create --image img:multi amd64 arm64
lade index ls --image img:multi`},
			},
			seeAlso: []string{"lade-list"},
		},
		"index create": {
			examples: []example{
				{"Create the index multi from the images tagged amd64 and arm64:", `lade index create --image img:multi amd64 arm64`},
				{"Annotate it, then drop the source tags (gc keeps what the index references):", `lade index create --image img:multi --annotation org.opencontainers.image.version=1.0 amd64 arm64
lade rm --image img:amd64 && lade rm --image img:arm64`},
			},
			seeAlso: []string{"lade-unpack"},
		},
		"index add": {
			examples: []example{
				{"Add (or replace) the entry for the platform of the image tagged riscv64:", `lade index add --image img:multi riscv64`},
			},
		},
		"index ls": {
			examples: []example{
				{"List the platforms and digests of a multi-platform tag:", `lade index ls --image img:multi`},
				{"List them as JSON descriptors:", `lade index ls --image img:multi --json | jq -r '.[].digest'`},
			},
			seeAlso: []string{"lade-list"},
		},
		"index remove": {
			examples: []example{
				{"Remove the arm64 entries of an index:", `lade index rm --image img:multi --platform linux/arm64`},
			},
			seeAlso: []string{"lade-gc"},
		},
		"raw": {
			examples: []example{
				{"Extract only the root filesystem of an image:", `lade raw unpack --image img:v1 rootfs`},
			},
			seeAlso: []string{"lade-unpack"},
		},
		"raw unpack": {
			examples: []example{
				{"Extract the root filesystem of the image tagged v1 into ./rootfs:", `lade raw unpack --image img:v1 rootfs`},
				{"Extract it without privileges, keeping symlinked directories of the target:", `lade raw unpack --rootless --keep-dirlinks --image img:v1 rootfs`},
			},
			env:     []envVar{sdeTree, envCache, envAuthFile, envXDG, envHome},
			seeAlso: []string{"lade-unpack", "lade-export"},
		},
		"raw runtime-config": {
			examples: []example{
				{"Write the runtime configuration of an image, users resolved in an extracted root filesystem:", `lade raw unpack --image img:v1 rootfs
lade raw runtime-config --image img:v1 --rootfs rootfs config.json`},
			},
			seeAlso: []string{"lade-unpack", "runc(8)"},
		},
		"raw add-layer": {
			examples: []example{
				{"Append a tar made elsewhere as a new layer, tagged v2:", `tar -C build -cf layer.tar .
lade raw add-layer --image img:v1 --tag v2 layer.tar`},
				{"Append a zstd layer, stored as gzip:", `lade raw add-layer --image img:v1 --compress gzip layer.tar.zst`},
			},
			env:     []envVar{sdeHistory},
			seeAlso: []string{"lade-insert"},
		},
	}
}
