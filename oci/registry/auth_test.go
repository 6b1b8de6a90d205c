package registry

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
)

func TestBasicAuth(t *testing.T) {
	setup(t)
	reg := newFakeRegistry()
	reg.users = map[string]string{"alice": "s3cret"}
	img := newTestImage(t, "a")
	img.store(reg, "app", "v1")
	srv := reg.start()
	defer srv.Close()
	host := hostOf(srv)
	ctx := t.Context()

	opts := plain()
	opts.Credentials = &transport.Credentials{Username: "alice", Password: "s3cret"}
	src, err := OpenSource(ctx, name(t, host, "app:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Resolve(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(ctx, src, img.layerDesc()); err != nil {
		t.Fatal(err)
	}

	for _, o := range []transport.Options{
		{Credentials: &transport.Credentials{Username: "alice", Password: "wrong"}},
		{},
		{NoCreds: true},
	} {
		o.TLSVerify = plain().TLSVerify
		src, err := OpenSource(ctx, name(t, host, "app:v1"), o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.Resolve(ctx)
		if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "unauthorized: ") {
			t.Fatalf("Resolve with %v: %v, want unauthorized", o.Credentials, err)
		}
		if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "wrong") {
			t.Fatalf("error is not one clean line: %q", err)
		}
	}
}

func TestBearerTokenScopesAndReuse(t *testing.T) {
	setup(t)
	ts, tsrv := newTokenServer(map[string]string{"bob": "pw"})
	defer tsrv.Close()
	reg := newFakeRegistry()
	reg.bearer = ts
	img := newTestImage(t, "a")
	img.store(reg, "src/app", "v1")
	srv := reg.start()
	defer srv.Close()
	host := hostOf(srv)
	ctx := t.Context()
	opts := plain()
	opts.Credentials = &transport.Credentials{Username: "bob", Password: "pw"}

	pull := func() {
		src, err := OpenSource(ctx, name(t, host, "src/app:v1"), opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.Resolve(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := readAll(ctx, src, img.configDesc()); err != nil {
			t.Fatal(err)
		}
		if _, err := readAll(ctx, src, img.layerDesc()); err != nil {
			t.Fatal(err)
		}
	}
	pull()
	n, scopes := ts.counts()
	if n != 1 || scopes[0] != "repository:src/app:pull" {
		t.Fatalf("token requests after one pull: %d %v, want one for repository:src/app:pull", n, scopes)
	}
	pull() // a second source of the same process reuses the token
	if n, _ := ts.counts(); n != 1 {
		t.Fatalf("token requests after a second pull: %d, want 1 (reused)", n)
	}

	dst, err := OpenDestination(ctx, name(t, host, "dst/app:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	mounted, err := dst.(transport.Mounter).Mount(ctx, img.layerDesc(), "src/app")
	if err != nil || !mounted {
		t.Fatalf("Mount = %v, %v", mounted, err)
	}
	_, scopes = ts.counts()
	last := scopes[len(scopes)-1]
	if !strings.Contains(last, "repository:dst/app:pull,push") || !strings.Contains(last, "repository:src/app:pull") {
		t.Fatalf("mount token scopes %q lack pull,push on the destination and pull on the source", last)
	}
	if err := dst.PutBlob(ctx, img.configDesc(), bytes.NewReader(img.config)); err != nil {
		t.Fatal(err)
	}
	if err := dst.Commit(ctx, img.desc, img.manifest); err != nil {
		t.Fatal(err)
	}
	n, scopes = ts.counts()
	for _, s := range scopes[1:] {
		if !strings.Contains(s, "repository:dst/app:pull,push") {
			t.Fatalf("push token scope %q lacks repository:dst/app:pull,push", s)
		}
	}
	t.Logf("token requests: %d %q", n, scopes)
	if n > 3 {
		t.Fatalf("%d token requests for a pull and a push: tokens are not reused (%v)", n, scopes)
	}
	// A mount of a blob the source repository does not have is declined.
	notThere := newTestImage(t, "zz").layerDesc()
	if mounted, err := dst.(transport.Mounter).Mount(ctx, notThere, "src/app"); err != nil || mounted {
		t.Fatalf("Mount of a blob the source lacks = %v, %v", mounted, err)
	}

	bad := plain()
	bad.Credentials = &transport.Credentials{Username: "bob", Password: "nope"}
	src, _ := OpenSource(ctx, name(t, host, "src/app:v1"), bad)
	if _, err := src.Resolve(ctx); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("bad password: %v", err)
	}
}

func TestRegistryTokenSentAsIs(t *testing.T) {
	setup(t)
	ts, tsrv := newTokenServer(nil)
	defer tsrv.Close()
	reg := newFakeRegistry()
	reg.bearer = ts
	newTestImage(t, "a").store(reg, "app", "v1")
	srv := reg.start()
	defer srv.Close()
	ts.issued["given-token"] = map[string]map[string]bool{"app": {"pull": true}}
	opts := plain()
	opts.RegistryToken = "given-token"
	src, err := OpenSource(t.Context(), name(t, hostOf(srv), "app:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Resolve(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, _ := ts.counts(); n != 0 {
		t.Fatalf("token server asked %d times although a registry token was given", n)
	}
}

// TestAuthFileRepositoryScopes checks that credentials come from the auth
// file chain, the most specific key per repository, and that two
// repositories on one registry with different credentials never mix them
// (each has its own cached basic header).
func TestAuthFileRepositoryScopes(t *testing.T) {
	home := setup(t)
	reg := newFakeRegistry()
	reg.users = map[string]string{"a-user": "a-pw", "b-user": "b-pw"}
	reg.userRepos = map[string][]string{"a-user": {"team/a"}, "b-user": {"team/b"}}
	newTestImage(t, "a").store(reg, "team/a", "v1")
	newTestImage(t, "b").store(reg, "team/b", "v1")
	srv := reg.start()
	defer srv.Close()
	host := hostOf(srv)
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	authFile := filepath.Join(home, "auth.json")
	content := `{"auths":{"` + host + `/team/a":{"auth":"` + enc("a-user:a-pw") + `"},"` + host + `":{"auth":"` + enc("b-user:b-pw") + `"}}}`
	if err := os.WriteFile(authFile, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := plain()
	opts.AuthFile = authFile
	for i := 0; i < 2; i++ {
		for _, repo := range []string{"team/a", "team/b"} {
			src, err := OpenSource(t.Context(), name(t, host, repo+":v1"), opts)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := src.Resolve(t.Context()); err != nil {
				t.Fatalf("%s: %v", repo, err)
			}
		}
	}
	// Docker's config.json is the last resort.
	if err := os.MkdirAll(filepath.Join(home, ".docker"), 0o700); err != nil {
		t.Fatal(err)
	}
	docker := `{"auths":{"` + host + `/team/a":{"auth":"` + enc("a-user:a-pw") + `"}}}`
	if err := os.WriteFile(filepath.Join(home, ".docker/config.json"), []byte(docker), 0o600); err != nil {
		t.Fatal(err)
	}
	src, _ := OpenSource(t.Context(), name(t, host, "team/a:v1"), plain())
	if _, err := src.Resolve(t.Context()); err != nil {
		t.Fatalf("credentials from ~/.docker/config.json: %v", err)
	}
}

func TestCredentialHelper(t *testing.T) {
	home := setup(t)
	reg := newFakeRegistry()
	reg.users = map[string]string{"helper-user": "helper-secret"}
	newTestImage(t, "a").store(reg, "app", "v1")
	srv := reg.start()
	defer srv.Close()
	host := hostOf(srv)
	bin, store := t.TempDir(), t.TempDir()
	script := "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread -r addr\n" +
		"[ \"$addr\" = \"" + host + "\" ] || { echo 'credentials not found in native keychain'; exit 1; }\n" +
		"echo get >> " + store + "/calls\n" +
		"echo '{\"ServerURL\":\"'$addr'\",\"Username\":\"helper-user\",\"Secret\":\"helper-secret\"}'\n"
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-fake"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	if err := os.MkdirAll(filepath.Join(home, ".docker"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := `{"credHelpers":{"` + host + `":"fake"}}`
	if err := os.WriteFile(filepath.Join(home, ".docker/config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := OpenSource(t.Context(), name(t, host, "app:v1"), plain())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Resolve(t.Context()); err != nil {
		t.Fatal(err)
	}
	if calls, _ := os.ReadFile(filepath.Join(store, "calls")); string(calls) != "get\n" {
		t.Fatalf("helper calls = %q", calls)
	}
}

// Basic authentication with an empty password (--creds user:) is sent as
// skopeo sends it, and refused by the registry as any wrong password is;
// a token (--registry-token) where the registry asks for basic
// authentication is a clear error, not oras' "missing username or
// password for basic auth".
func TestBasicAuthEmptyPasswordAndToken(t *testing.T) {
	setup(t)
	reg := newFakeRegistry()
	reg.users = map[string]string{"alice": "s3cret"}
	img := newTestImage(t, "a")
	img.store(reg, "app", "v1")
	srv := reg.start()
	defer srv.Close()
	host := hostOf(srv)

	opts := plain()
	opts.Credentials = &transport.Credentials{Username: "alice"}
	dst, err := OpenDestination(t.Context(), name(t, host, "app:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = dst.Has(t.Context(), img.layerDesc())
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "/app: unauthorized: ") || strings.Contains(err.Error(), "missing") {
		t.Fatalf("empty password: %v", err)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"))
	reg.mu.Lock()
	seen := strings.Join(reg.authSeen, ",")
	reg.mu.Unlock()
	if !strings.Contains(seen, want) {
		t.Fatalf("Authorization headers sent: %q, want %q among them", seen, want)
	}

	opts = plain()
	opts.RegistryToken = "given-token"
	for _, open := range []func() error{
		func() error {
			src, err := OpenSource(t.Context(), name(t, host, "app:v1"), opts)
			if err == nil {
				_, err = src.Resolve(t.Context())
			}
			return err
		},
		func() error {
			dst, err := OpenDestination(t.Context(), name(t, host, "app:v1"), opts)
			if err == nil {
				_, err = dst.Has(t.Context(), img.layerDesc())
			}
			return err
		},
	} {
		err := open()
		if !errors.Is(err, ErrUnauthorized) || !strings.HasSuffix(err.Error(), "unauthorized: the registry asks for a user name and password (basic authentication), and only a token was given") ||
			strings.Contains(err.Error(), "given-token") || strings.Contains(err.Error(), "http://") {
			t.Fatalf("token at a basic-auth registry: %v", err)
		}
	}
}
