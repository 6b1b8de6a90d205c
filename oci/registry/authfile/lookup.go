package authfile

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"

	"oras.land/oras-go/v2/registry/remote/credentials"
)

// Lookup returns the credential for repository (a path such as
// "library/busybox", may be empty) on registry ("HOST[:PORT]", "docker.io"
// for Docker Hub), searching paths in order (see the package doc), and the
// file it came from. Nothing found is an empty Credential and no error.
func Lookup(ctx context.Context, paths []Path, registry, repository string) (Credential, string, error) {
	for _, p := range paths {
		f, err := readFile(p.Name, p.Legacy)
		if err != nil {
			return Credential{}, "", err
		}
		c, err := f.lookup(ctx, p, registry, repository)
		if err != nil {
			return Credential{}, "", err
		}
		if !c.IsEmpty() {
			return c, p.Name, nil
		}
	}
	return Credential{}, "", nil
}

// lookup searches one file: a credential helper named for the registry,
// then "auths" from the most specific key to the registry's, then
// credsStore.
func (f *file) lookup(ctx context.Context, p Path, registry, repository string) (Credential, error) {
	if helper := f.helperFor(registry); helper != "" {
		return helperGet(ctx, helper, registry)
	}
	keys := []string{registry}
	if !p.Legacy && repository != "" {
		keys = scopedKeys(registry, repository)
	}
	for _, key := range keys {
		if raw, ok := f.auths[key]; ok {
			c, err := decodeEntry(p.Name, key, raw)
			if err != nil || !c.IsEmpty() {
				return c, err
			}
		}
	}
	// Keys written as URLs ("https://index.docker.io/v1/") or with another
	// spelling of Docker Hub match the registry once normalized.
	for key, raw := range f.auths {
		if key != registry && normalizeKey(key, p.Legacy) == registry {
			c, err := decodeEntry(p.Name, key, raw)
			if err != nil || !c.IsEmpty() {
				return c, err
			}
		}
	}
	if f.credsStore != "" {
		c, err := helperGet(ctx, f.credsStore, registry)
		var ee *exec.Error
		if errors.As(err, &ee) && errors.Is(ee.Err, exec.ErrNotFound) {
			// A credsStore copied from another machine must not make every
			// anonymous pull fail.
			slog.DebugContext(ctx, "credential store helper not found, ignoring it", "file", p.Name, "helper", f.credsStore)
			return Credential{}, nil
		}
		return c, err
	}
	return Credential{}, nil
}

// scopedKeys returns "reg/a/b/c", "reg/a/b", "reg/a", "reg" for repository
// "a/b/c".
func scopedKeys(registry, repository string) []string {
	keys := []string{}
	for r := repository; r != ""; {
		keys = append(keys, registry+"/"+r)
		i := strings.LastIndexByte(r, '/')
		if i < 0 {
			break
		}
		r = r[:i]
	}
	return append(keys, registry)
}

// normalizeKey reduces an "auths" or credHelpers key to the registry it
// names: a URL loses its scheme and path, and Docker Hub's other names
// become docker.io.
func normalizeKey(key string, legacy bool) string {
	stripped := strings.TrimPrefix(strings.TrimPrefix(key, "http://"), "https://")
	if legacy || stripped != key {
		stripped, _, _ = strings.Cut(stripped, "/")
	}
	switch stripped {
	case "index.docker.io", "registry-1.docker.io":
		return "docker.io"
	}
	return stripped
}

// helperFor returns the credHelpers entry for registry, if any.
func (f *file) helperFor(registry string) string {
	if h := f.credHelpers[registry]; h != "" {
		return h
	}
	for key, h := range f.credHelpers {
		if normalizeKey(key, false) == registry {
			return h
		}
	}
	return ""
}

// serverAddress is what a credential helper is asked for: the registry
// host, or Docker Hub's historical URL.
func serverAddress(registry string) string {
	return credentials.ServerAddressFromRegistry(registry)
}

// helperGet asks docker-credential-NAME for the registry's credential. A
// helper that has none returns an empty Credential.
func helperGet(ctx context.Context, name, registry string) (Credential, error) {
	c, err := credentials.NewNativeStore(name).Get(ctx, serverAddress(registry))
	if err != nil {
		return Credential{}, fmt.Errorf("get credentials for %s from docker-credential-%s: %w", registry, name, err)
	}
	return Credential{Username: c.Username, Password: c.Password, IdentityToken: c.RefreshToken}, nil
}
