package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/lade-oci/lade/oci/registry/authfile"
	"github.com/lade-oci/lade/oci/transport"
)

// ErrInvalidCredentials matches a login the registry refused.
var ErrInvalidCredentials = errors.New("invalid username or password")

// Login checks cred against server's /v2/ endpoint (basic or bearer, with
// opts' TLS settings and a fresh token cache) and, when the registry
// accepts it, stores it in the primary auth file (opts.AuthFile, else
// REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json, else
// /run/containers/UID/auth.json), or with the credential helper that
// file's credHelpers names for the registry: skopeo login.
//
// server is "HOST[:PORT]" or "HOST[:PORT]/REPOSITORY" (a repository-scoped
// entry, used for that repository and below), optionally written as an
// http:// or https:// URL; a tag or digest is refused. A refused
// credential is an error matching ErrInvalidCredentials and ErrUnauthorized.
func Login(ctx context.Context, server string, cred transport.Credentials, opts transport.Options) error {
	key, reg, err := LoginKey(server)
	if err != nil {
		return err
	}
	if err := checkLogin(ctx, reg, cred, opts); err != nil {
		return fmt.Errorf("log in to %s: %w", key, err)
	}
	c := authfile.Credential{Username: cred.Username, Password: cred.Password}
	if err := authfile.Store(ctx, opts.AuthFile, key, c); err != nil {
		return fmt.Errorf("log in to %s: %w", key, err)
	}
	return nil
}

// checkLogin pings the registry's /v2/ with cred.
func checkLogin(ctx context.Context, reg string, cred transport.Credentials, opts transport.Options) error {
	host := apiHost(reg)
	hc, err := httpClient(host, opts)
	if err != nil {
		return err
	}
	plain, err := usePlainHTTP(ctx, host, opts)
	if err != nil {
		return err
	}
	ac := auth.Credential{Username: cred.Username, Password: cred.Password}
	r := &remote.Registry{RepositoryOptions: remote.RepositoryOptions{
		Client: &auth.Client{
			Client:     hc,
			Header:     http.Header{"User-Agent": {userAgent}},
			Credential: credentialFunc(host, ac),
			Cache:      credentialCache(auth.NewCache(), host, ac),
		},
		Reference: registry.Reference{Registry: reg},
		PlainHTTP: plain,
	}}
	err = mapError(r.Ping(ctx))
	if errors.Is(err, ErrUnauthorized) {
		return fmt.Errorf("%w: %w", ErrInvalidCredentials, err)
	}
	return err
}

// Logout removes the credential for server (as Login names it) from the
// primary auth file or its credential helper, or with all every
// credential of that file and of the helpers it names (server is then
// ignored): skopeo logout [--all]. Nothing to remove is an error matching
// authfile.ErrNotLoggedIn, worded "not logged into SERVER" as by skopeo.
func Logout(ctx context.Context, server string, all bool, opts transport.Options) error {
	if all {
		if err := authfile.RemoveAll(ctx, opts.AuthFile); err != nil {
			return fmt.Errorf("log out of all registries: %w", err)
		}
		return nil
	}
	key, _, err := LoginKey(server)
	if err != nil {
		return err
	}
	return authfile.Remove(ctx, opts.AuthFile, key)
}

// LoginUser returns the user name stored for server along the whole
// lookup chain (skopeo login --get-login); none is an error matching
// authfile.ErrNotLoggedIn.
func LoginUser(ctx context.Context, server string, opts transport.Options) (string, error) {
	key, reg, err := LoginKey(server)
	if err != nil {
		return "", err
	}
	_, repo, _ := strings.Cut(key, "/")
	c, _, err := authfile.Lookup(ctx, authfile.Paths(opts.AuthFile), reg, repo)
	if err != nil {
		return "", err
	}
	if c.Username == "" {
		return "", authfile.NotLoggedIn(key)
	}
	return c.Username, nil
}

// LoginKey normalizes a login or logout argument to the auth file key
// and the registry it names: an http:// or https:// prefix and a final
// "/" are dropped, index.docker.io is docker.io, a repository must be
// valid and have no tag or digest; another scheme (docker://) is refused.
func LoginKey(server string) (key, reg string, err error) {
	s := strings.TrimPrefix(strings.TrimPrefix(server, "https://"), "http://")
	if scheme, _, ok := strings.Cut(s, "://"); ok {
		// docker://HOST: a transport, not a URL (skopeo refuses it too).
		return "", "", fmt.Errorf("invalid registry %q: expected HOST[:PORT][/REPOSITORY] without %q", server, scheme+"://")
	}
	s = strings.TrimSuffix(s, "/")
	host, path, _ := strings.Cut(s, "/")
	if host == "index.docker.io" {
		host = transport.DockerHub
	}
	if host == "" || strings.Contains(host, "://") || strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != "" {
		return "", "", fmt.Errorf("invalid registry %q: expected HOST[:PORT][/REPOSITORY]", server)
	}
	if path == "" {
		return host, host, nil
	}
	ref, err := transport.ParseDockerRepository(host + "/" + path)
	if err != nil {
		return "", "", fmt.Errorf("invalid registry %q: %w", server, err)
	}
	if ref.Registry != host {
		return "", "", fmt.Errorf("invalid registry %q: %q is not a registry host", server, host)
	}
	return ref.Name(), host, nil
}

// CheckStoredLogin looks up the credential stored for server along the
// whole lookup chain and checks it against the registry, as skopeo login
// does when given no user name: found is false when nothing is stored; a
// stored credential the registry refuses is an error matching
// ErrInvalidCredentials. Nothing is written.
func CheckStoredLogin(ctx context.Context, server string, opts transport.Options) (found bool, err error) {
	key, reg, err := LoginKey(server)
	if err != nil {
		return false, err
	}
	_, repo, _ := strings.Cut(key, "/")
	c, _, err := authfile.Lookup(ctx, authfile.Paths(opts.AuthFile), reg, repo)
	if err != nil {
		return false, err
	}
	if c.IsEmpty() {
		return false, nil
	}
	if c.IdentityToken != "" && c.Password == "" {
		return true, fmt.Errorf("check stored credentials for %s: an identity token cannot be checked by lade: give a user name and password", key)
	}
	cred := transport.Credentials{Username: c.Username, Password: c.Password}
	if err := checkLogin(ctx, reg, cred, opts); err != nil {
		return true, fmt.Errorf("check stored credentials for %s: %w", key, err)
	}
	return true, nil
}
