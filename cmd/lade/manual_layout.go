package main

// manualsLayout: the commands that work on a whole layout.
func manualsLayout() map[string]manual {
	return map[string]manual{
		"init": {
			examples: []example{
				{"Create an empty layout and a first image in it:", `lade init --layout img
lade new --image img:latest`},
			},
			seeAlso: []string{"lade-new"},
		},
		"list": {
			examples: []example{
				{"Print the tags of a layout, one per line:", `lade ls --layout img`},
				{"Print the tags of an OCI archive with their digests:", `lade ls --layout img.tar --json | jq -r '.[] | .tag + " " + .digest'`},
			},
			seeAlso: []string{"lade-stat", "lade-index-ls"},
		},
		"gc": {
			examples: []example{
				{"List the blobs gc would delete, then delete them:", `lade gc --layout img --dry-run
lade --verbose gc --layout img`},
			},
			seeAlso: []string{"lade-remove", "lade-validate"},
		},
	}
}
