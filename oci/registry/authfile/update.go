package authfile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"

	"github.com/lade-oci/lade/internal/atomicfile"
)

// ErrNotLoggedIn matches the error of Remove when there is no credential
// to remove; its text is skopeo's "not logged into KEY".
var ErrNotLoggedIn = errors.New("not logged in")

// NotLoggedIn returns the error matching ErrNotLoggedIn for key.
func NotLoggedIn(key string) error { return notLoggedInError{key} }

type notLoggedInError struct{ key string }

func (e notLoggedInError) Error() string        { return "not logged into " + e.key }
func (e notLoggedInError) Is(target error) bool { return target == ErrNotLoggedIn }

// errHelperNotFound is a helper's answer when it has no such credential.
const errHelperNotFound = "credentials not found in native keychain"

// Store records c for key ("HOST[:PORT]" or "HOST[:PORT]/NAMESPACE/REPO")
// in the primary file (see PrimaryPath), or with the credential helper the
// file names for the registry in credHelpers.
func Store(ctx context.Context, authFile, key string, c Credential) error {
	path := PrimaryPath(authFile)
	f, err := openPrimary(authFile, path)
	if err != nil {
		return err
	}
	registry, repo, _ := strings.Cut(key, "/")
	if helper := f.helperFor(registry); helper != "" {
		if repo != "" {
			return fmt.Errorf("store credentials for %s: docker-credential-%s holds credentials per registry, not per repository", key, helper)
		}
		cred := auth.Credential{Username: c.Username, Password: c.Password, RefreshToken: c.IdentityToken}
		if err := credentials.NewNativeStore(helper).Put(ctx, serverAddress(registry), cred); err != nil {
			return fmt.Errorf("store credentials for %s with docker-credential-%s: %w", key, helper, err)
		}
		return nil
	}
	e, err := encodeEntry(f.auths[key], c)
	if err != nil {
		return fmt.Errorf("store credentials for %s: %w", key, err)
	}
	f.auths[key] = e
	return write(ctx, path, f)
}

// Remove deletes the credential for key from the primary file (a
// registry-level key also removes entries spelled as URLs of that
// registry), or erases it from the registry's credential helper. Nothing
// to remove is an error matching ErrNotLoggedIn.
func Remove(ctx context.Context, authFile, key string) error {
	path := PrimaryPath(authFile)
	f, err := openPrimary(authFile, path)
	if err != nil {
		return err
	}
	registry, repo, _ := strings.Cut(key, "/")
	if helper := f.helperFor(registry); helper != "" && repo == "" {
		return helperErase(ctx, helper, registry)
	}
	found := false
	for k := range f.auths {
		if k == key || (repo == "" && normalizeKey(k, false) == key) {
			delete(f.auths, k)
			found = true
		}
	}
	if !found {
		return notLoggedInError{key}
	}
	return write(ctx, path, f)
}

// RemoveAll deletes every "auths" entry of the primary file and erases
// the credentials of every registry its credHelpers name, as skopeo
// logout --all does. A missing file is left missing.
func RemoveAll(ctx context.Context, authFile string) error {
	path := PrimaryPath(authFile)
	f, err := openPrimary(authFile, path)
	if err != nil {
		return err
	}
	var errs []error
	for registry, helper := range f.credHelpers {
		if err := helperErase(ctx, helper, normalizeKey(registry, false)); err != nil && !errors.Is(err, ErrNotLoggedIn) {
			errs = append(errs, err)
		}
	}
	if _, err := os.Stat(path); err == nil {
		f.auths = map[string]json.RawMessage{}
		errs = append(errs, write(ctx, path, f))
	}
	return errors.Join(errs...)
}

func openPrimary(authFile, path string) (*file, error) {
	if err := checkRuntimeDir(authFile); err != nil {
		return nil, err
	}
	return readFile(path, false)
}

func helperErase(ctx context.Context, helper, registry string) error {
	err := credentials.NewNativeStore(helper).Delete(ctx, serverAddress(registry))
	if err != nil && err.Error() == errHelperNotFound {
		return notLoggedInError{registry}
	}
	if err != nil {
		return fmt.Errorf("erase credentials for %s with docker-credential-%s: %w", registry, helper, err)
	}
	return nil
}

// write replaces path with f atomically, mode 0600, creating its
// directory (mode 0700) when missing.
func write(ctx context.Context, path string, f *file) error {
	data, err := f.marshal()
	if err != nil {
		return fmt.Errorf("encode auth file %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create auth file directory: %w", err)
	}
	if err := atomicfile.WriteBytes(ctx, path, 0o600, data); err != nil {
		return fmt.Errorf("write auth file %s: %w", path, err)
	}
	return nil
}
