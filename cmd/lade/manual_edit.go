package main

// manualsEdit: the commands that create, tag or change images.
func manualsEdit() map[string]manual {
	return map[string]manual{
		"new": {
			examples: []example{
				{"Create a layout and a blank image tagged base in it:", `lade init --layout img
lade new --image img:base`},
				{"Create a reproducible blank image:", `SOURCE_DATE_EPOCH=0 lade new --image img:base`},
			},
			env:     []envVar{{"SOURCE_DATE_EPOCH", `Integer seconds since the Unix epoch: the creation time of the image (otherwise the current time).`}},
			seeAlso: []string{"lade-init", "lade-config", "lade-insert"},
		},
		"tag": {
			examples: []example{
				{"Tag the image tagged v1 also as stable:", `lade tag --image img:v1 stable`},
				{"Tag the amd64 image of a multi-platform tag on its own:", `lade tag --image img:multi --platform linux/amd64 amd64`},
			},
			seeAlso: []string{"lade-remove", "lade-list"},
		},
		"remove": {
			examples: []example{
				{"Remove the tag v1, then the blobs nothing references any more:", `lade rm --image img:v1
lade gc --layout img`},
			},
			seeAlso: []string{"lade-tag", "lade-gc"},
		},
		"config": {
			examples: []example{
				{"Set the command, an environment variable and a label, tagging the result as v2:", `lade config --image img:v1 --tag v2 --config.cmd /bin/sh --config.cmd -c --config.cmd 'echo hi' --config.env PATH=/bin:/usr/bin --config.label org.example.team=web`},
				{"Replace all labels, without a history entry:", `lade config --image img:v1 --clear config.labels --config.label version=2 --no-history`},
				{"Mark the image as arm64/v8:", `lade config --image img:v1 --platform.arch arm64 --platform.variant v8`},
			},
			env:     []envVar{sdeHistory},
			seeAlso: []string{"lade-stat", "lade-new"},
		},
		"insert": {
			examples: []example{
				{"Add the host directory ./etc as /etc and a binary as /usr/bin/app, in one layer:", `lade insert --image img:v1 --tag v2 ./etc /etc ./app /usr/bin/app`},
				{"Replace what /srv holds in the image by ./site, owners as root:", `lade insert --rootless --opaque --image img:v1 ./site /srv`},
				{"Delete /etc/motd from the image with a whiteout layer:", `lade insert --image img:v1 --whiteout /etc/motd`},
			},
			env:     []envVar{sdeLayer},
			seeAlso: []string{"lade-raw-add-layer", "lade-repack"},
		},
		"repack": {
			examples: []example{
				{"Turn the changes made in an unpacked bundle into a new layer tagged v2:", `lade unpack --image img:v1 bundle
rm -rf bundle/rootfs/var/cache/*
lade repack --image img:v2 bundle`},
				{"Repack twice from one bundle, leaving /tmp out of the layer:", `lade repack --refresh-bundle --mask-path /tmp --image img:v2 bundle
lade repack --image img:v3 bundle`},
			},
			env:     []envVar{sdeLayer},
			seeAlso: []string{"lade-unpack", "lade-insert"},
		},
		"squash": {
			examples: []example{
				{"Replace all layers of v1 by one layer, tagged flat:", `lade squash --image img:v1 --tag flat`},
				{"Squash without a history entry, with a zstd layer:", `lade squash --image img:v1 --no-history --compress zstd`},
			},
			env:     []envVar{sdeLayer, tmpdirTree},
			seeAlso: []string{"lade-export", "lade-diff"},
		},
	}
}
