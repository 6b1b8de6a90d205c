// Package authfile reads and writes registry credentials the way skopeo
// (containers-auth.json(5)) and Docker (config.json) keep them.
//
// Reading follows skopeo's chain ([Paths]): the primary file (--authfile,
// else REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json,
// else /run/containers/UID/auth.json), then
// ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json, then
// ${DOCKER_CONFIG:-~/.docker}/config.json, then the legacy ~/.dockercfg.
// The first file with a credential for the image wins. Within a file,
// credHelpers for the registry come first, then "auths" entries keyed by
// registry/namespace/repository (most specific key first), then Docker's
// credsStore. Helpers run as docker-credential-NAME through oras-go's
// native store.
//
// Writing ([Store], [Remove], [RemoveAll]) touches only the primary file,
// atomically (temp file, fsync, rename, mode 0600), and keeps every entry
// and key it does not change, including keys skopeo itself drops.
//
// Errors never contain a password or an "auth" value.
package authfile
