package main

// Environment variables of the commands that reach a registry.
var (
	envAuthFile = envVar{"REGISTRY_AUTH_FILE", `The credentials file to read first (and the one login and logout edit) when --authfile is not given.`}
	envXDG      = envVar{"XDG_RUNTIME_DIR", `${XDG_RUNTIME_DIR}/containers/auth.json is the credentials file read first (and written by login) when neither --authfile nor REGISTRY_AUTH_FILE is given; without XDG_RUNTIME_DIR, /run/containers/UID/auth.json.`}
	envHome     = envVar{"HOME", `$HOME/.config/containers/auth.json and $HOME/.docker/config.json (or $DOCKER_CONFIG/config.json) are read after the first file, with Docker's credHelpers and credsStore; $HOME/.config/containers/certs.d holds per-registry certificates, as /etc/containers/certs.d does.`}
	envCache    = envVar{"XDG_CACHE_HOME", `With --image docker://... and no --layout, the image is kept in ${XDG_CACHE_HOME:-$HOME/.cache}/lade/layout.`}
	envTmpdir   = envVar{"TMPDIR", `Where recompressed and decompressed layers are spooled when --tmpdir is not given (default /tmp).`}
)

// manualsTransport: skopeo's commands.
func manualsTransport() map[string]manual {
	registryEnv := []envVar{envAuthFile, envXDG, envHome}
	return map[string]manual{
		"copy": {
			examples: []example{
				{"Pull an image from a registry into a layout, then unpack it:", `lade copy docker://registry.example:5000/busybox:latest oci:busybox:latest
lade unpack --image busybox:latest bundle`},
				{"Push a tag of a layout to a registry with a private CA, logged in before:", `lade login -u me registry.example:5000
lade copy --dest-cert-dir /etc/my-ca oci:img:v2 docker://registry.example:5000/team/app:v2`},
				{"Copy every platform of a multi-platform image, and record the digest:", `lade copy --all --digestfile digest.txt docker://registry.example/app:1 oci:app:1`},
				{"Write a tar that docker load reads:", `lade copy oci:img:latest docker-archive:img.tar:example/img:latest`},
				{"Push to a plain-HTTP registry on this machine, zstd-compressed, with progress lines for a log:", `lade copy --dest-tls-verify=false --dest-compress-format zstd --progress plain oci:img:latest docker://127.0.0.1:5000/img:zstd`},
			},
			env:     append(registryEnv, envTmpdir),
			seeAlso: []string{"lade-inspect", "lade-login", "lade-unpack", "skopeo-copy(1)", "containers-policy.json(5)", "containers-auth.json(5)", "containers-certs.d(5)"},
		},
		"inspect": {
			examples: []example{
				{"Show an image in a registry:", `lade inspect docker://registry.example:5000/busybox:latest`},
				{"Print the digest and the layer count of a layout's image:", `lade inspect --format '{{.Digest}} {{len .Layers}}' oci:img:latest`},
				{"Print the configuration of the arm64 image of an index:", `lade --override-arch arm64 inspect --config oci:img:multi`},
				{"Print the manifest exactly as stored:", `lade inspect --raw dir:/srv/images/busybox`},
			},
			env:     registryEnv,
			seeAlso: []string{"lade-copy", "lade-list-tags", "lade-stat", "skopeo-inspect(1)"},
		},
		"list-tags": {
			examples: []example{
				{"List the tags of a repository:", `lade list-tags docker://registry.example:5000/team/app`},
				{"List the images of a docker save archive:", `lade list-tags docker-archive:saved.tar`},
			},
			env:     registryEnv,
			seeAlso: []string{"lade-inspect", "skopeo-list-tags(1)"},
		},
		"delete": {
			examples: []example{
				{"Delete a tag's manifest from a registry:", `lade delete docker://registry.example:5000/team/app:old`},
			},
			env:     registryEnv,
			seeAlso: []string{"lade-list-tags", "skopeo-delete(1)"},
		},
		"login": {
			examples: []example{
				{"Log in, asked for the password on the terminal:", `lade login -u me registry.example:5000`},
				{"Log in from a script, the password on standard input:", `printf '%s\n' "$PASSWORD" | lade login -u me --password-stdin registry.example:5000`},
				{"Print the user name stored for a registry:", `lade login --get-login registry.example:5000`},
			},
			env:     registryEnv,
			seeAlso: []string{"lade-logout", "lade-copy", "skopeo-login(1)", "containers-auth.json(5)"},
		},
		"logout": {
			examples: []example{
				{"Remove the credentials of one registry, then of all:", `lade logout registry.example:5000
lade logout --all`},
			},
			env:     []envVar{envAuthFile, envXDG},
			seeAlso: []string{"lade-login", "skopeo-logout(1)"},
		},
	}
}
