package main

// manualsTop: lade itself, the completion command and the commands that
// read an image without changing it.
func manualsTop() map[string]manual {
	return map[string]manual{
		"": {
			examples: []example{
				{"Create a layout with a blank image, add host files as a layer and set the command:", `lade init --layout img
lade new --image img:base
lade insert --image img:base --tag app ./etc /etc
lade config --image img:app --config.cmd /bin/sh`},
				{"Unpack an image into a runtime bundle, change it and repack the changes as a new layer:", `lade unpack --image img:app bundle
echo hello >bundle/rootfs/hello
lade repack --image img:next bundle`},
				{"Compare the two images, then remove the first tag and its unreferenced blobs:", `lade diff img:app img:next
lade rm --image img:app && lade gc --layout img`},
			},
			env: []envVar{
				{"SOURCE_DATE_EPOCH", `Integer seconds since the Unix epoch, for reproducible images and bundles: the creation time of new images and history entries, the limit of file times in generated layers, and the time of directories that no layer lists in unpacked trees. See each command's page.`},
				{"TMPDIR", `Where squash and export (to standard output) unpack their temporary trees (default /tmp).`},
			},
			seeAlso: []string{"umoci(1)", "skopeo(1)", "runc(8)"},
		},
		"completion": {
			examples: []example{
				{"Enable completion in the current bash session:", `source <(lade completion bash)`},
				{"Install it for zsh and fish without root (the directories must be in fpath and fish's completion path):", `lade completion zsh >~/.zsh/completions/_lade
lade completion fish >~/.config/fish/completions/lade.fish`},
			},
			env: []envVar{{"PATH", `The completion scripts run the lade found in the PATH (or the command as typed) to list candidates.`}},
		},
		"stat": {
			examples: []example{
				{"Show the manifest, configuration and history of the image tagged v1:", `lade stat --image img:v1`},
				{"Print the image's command and its environment, one variable per line:", `lade stat --image img:v1 --format '{{.config.blob.config.Cmd}}'
lade stat --image img:v1 --format '{{join .config.blob.config.Env "\n"}}'`},
				{"Show the arm64 image of a multi-platform tag as JSON:", `lade stat --image img:multi --platform linux/arm64 --json | jq .history`},
			},
			seeAlso: []string{"lade-diff", "lade-list", "lade-index-ls"},
		},
		"diff": {
			examples: []example{
				{"Show what changed between two tags of one layout:", `lade diff img:v1 img:v2`},
				{"Compare images of two layouts, files only, counting added or removed directories once:", `lade diff --files-only --collapse old:latest new:latest`},
				{"Fail a script when a rebuild changed anything:", `lade diff --exit-code img:release img:rebuild >/dev/null`},
			},
			exit:    `0 when the comparison succeeded, whether or not the images differ (with --exit-code: 0 when they are the same, 2 when they differ); 1 on any error, after one error line on standard error.`,
			seeAlso: []string{"lade-stat", "lade-export"},
		},
		"export": {
			examples: []example{
				{"Write the flattened root filesystem of an image as a tar:", `lade export --image img:v1 rootfs.tar`},
				{"Stream it zstd-compressed, without privileges:", `lade export --rootless --image img:v1 --compress zstd - >rootfs.tar.zst`},
				{"Import it into Docker as a single-layer image:", `lade export --image img:v1 - | docker import - app:flat`},
			},
			env:     []envVar{sdeTree, {"TMPDIR", `Where the layers are unpacked when <output> is "-" (default /tmp); otherwise next to <output>.`}},
			seeAlso: []string{"lade-squash", "lade-unpack"},
		},
		"unpack": {
			examples: []example{
				{"Unpack the image tagged v1 into the bundle ./bundle and run it:", `lade unpack --image img:v1 bundle
runc run -b bundle ctr`},
				{"Unpack without privileges, for rootless runc:", `lade unpack --rootless --image img:v1 bundle`},
				{"Unpack the arm64 image of a multi-platform tag with owners shifted by 100000:", `lade unpack --platform linux/arm64 --uid-map 0:100000:65536 --gid-map 0:100000:65536 --image img:multi bundle`},
				{"Pull an image from a registry and unpack it in one go, keeping it in ./img for a later repack:", `lade unpack --layout img --image docker://registry.example:5000/busybox:latest bundle
lade repack --image img:changed bundle`},
			},
			env:     []envVar{sdeTree, envCache, envAuthFile, envXDG, envHome},
			seeAlso: []string{"lade-repack", "lade-raw-unpack", "lade-copy", "runc(8)"},
		},
		"validate": {
			examples: []example{
				{"Check every blob that index.json reaches:", `lade validate --layout img`},
				{"Check one image only:", `lade validate --image img:v1`},
			},
			exit:    `0 when nothing is wrong; 1 when problems were found (printed on standard output) or on any other error (one error line on standard error).`,
			seeAlso: []string{"lade-gc"},
		},
	}
}
