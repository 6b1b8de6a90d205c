package registry

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"sync"

	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/lade-oci/lade/oci/registry/authfile"
	"github.com/lade-oci/lade/oci/transport"
)

// resolveCredential returns the credential for repository on registry as
// skopeo chooses it: opts.Credentials, else opts.RegistryToken (sent as
// the bearer token), else nothing with opts.NoCreds, else the auth files
// (authfile.Paths(opts.AuthFile)).
func resolveCredential(ctx context.Context, registry, repository string, opts transport.Options) (auth.Credential, error) {
	switch {
	case opts.Credentials != nil:
		return auth.Credential{Username: opts.Credentials.Username, Password: opts.Credentials.Password}, nil
	case opts.RegistryToken != "":
		return auth.Credential{AccessToken: opts.RegistryToken}, nil
	case opts.NoCreds:
		return auth.EmptyCredential, nil
	}
	c, from, err := authfile.Lookup(ctx, authfile.Paths(opts.AuthFile), registry, repository)
	if err != nil {
		return auth.EmptyCredential, fmt.Errorf("look up credentials for %s: %w", registry, err)
	}
	if !c.IsEmpty() {
		slog.DebugContext(ctx, "registry credentials found", "registry", registry, "repository", repository, "file", from, "user", c.Username)
	}
	return auth.Credential{Username: c.Username, Password: c.Password, RefreshToken: c.IdentityToken}, nil
}

// credentialFunc gives cred to the auth client for host only; any other
// host (a redirect target) gets no credential.
func credentialFunc(host string, cred auth.Credential) auth.CredentialFunc {
	return func(_ context.Context, hostport string) (auth.Credential, error) {
		if hostport == host {
			return cred, nil
		}
		return auth.EmptyCredential, nil
	}
}

// tokens holds one oras auth cache per registry host and credential, so
// that every source, destination and operation of the process that uses
// the same credential on the same registry reuses its basic header and
// bearer tokens (scoped per repository and action by oras), and different
// credentials on one registry (repository-scoped auth file keys, --src-creds
// and --dest-creds) never share one.
var tokens struct {
	mu     sync.Mutex
	caches map[[sha256.Size]byte]auth.Cache
}

func tokenCache(host string, cred auth.Credential) auth.Cache {
	h := sha256.New()
	for _, s := range []string{host, cred.Username, cred.Password, cred.RefreshToken, cred.AccessToken} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	tokens.mu.Lock()
	defer tokens.mu.Unlock()
	if c := tokens.caches[key]; c != nil {
		return c
	}
	if tokens.caches == nil {
		tokens.caches = map[[sha256.Size]byte]auth.Cache{}
	}
	c := auth.NewCache()
	tokens.caches[key] = c
	return c
}

// errTokenForBasic is the failure of a token-only credential
// (--registry-token, an identity token) at a registry that asks for basic
// authentication.
var errTokenForBasic = fmt.Errorf("%w: the registry asks for a user name and password (basic authentication), and only a token was given", ErrUnauthorized)

// basicCache answers the basic-auth challenges of host with cred as skopeo
// does: a user name or a password may be empty (--creds user:), where
// oras-go refuses to send either; a credential that is only a token is a
// clear error instead of oras' "missing username or password". Everything
// else goes to the auth.Cache it wraps.
type basicCache struct {
	auth.Cache
	host string
	cred auth.Credential
}

// credentialCache is the cache of an auth client that gives cred to host.
func credentialCache(c auth.Cache, host string, cred auth.Credential) auth.Cache {
	return basicCache{Cache: c, host: host, cred: cred}
}

func (c basicCache) Set(ctx context.Context, registry string, scheme auth.Scheme, key string, fetch func(context.Context) (string, error)) (string, error) {
	if scheme != auth.SchemeBasic || registry != c.host {
		return c.Cache.Set(ctx, registry, scheme, key, fetch)
	}
	switch {
	case c.cred.Username != "" || c.cred.Password != "":
		token := base64.StdEncoding.EncodeToString([]byte(c.cred.Username + ":" + c.cred.Password))
		return c.Cache.Set(ctx, registry, scheme, key, func(context.Context) (string, error) { return token, nil })
	case c.cred.AccessToken != "" || c.cred.RefreshToken != "":
		return "", errTokenForBasic
	}
	return c.Cache.Set(ctx, registry, scheme, key, fetch)
}
