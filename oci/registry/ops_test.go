package registry

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/registry/authfile"
	"github.com/lade-oci/lade/oci/transport"
)

func TestLoginLogout(t *testing.T) {
	home := setup(t)
	ts, tsrv := newTokenServer(map[string]string{"carol": "pw"})
	defer tsrv.Close()
	bearer := newFakeRegistry()
	bearer.bearer = ts
	bsrv := bearer.start()
	defer bsrv.Close()
	basic := newFakeRegistry()
	basic.users = map[string]string{"dave": "pw2"}
	srv := basic.start()
	defer srv.Close()
	primary := filepath.Join(home, "run/containers/auth.json")

	for _, tc := range []struct {
		host, user, pass string
	}{{hostOf(bsrv), "carol", "pw"}, {hostOf(srv), "dave", "pw2"}} {
		err := Login(t.Context(), tc.host, transport.Credentials{Username: tc.user, Password: "wrong"}, plain())
		if !errors.Is(err, ErrInvalidCredentials) || !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("login with a wrong password to %s: %v", tc.host, err)
		}
		if _, err := os.Stat(primary); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("a refused login wrote the auth file")
		}
	}
	for _, tc := range []struct {
		server, key, user, pass string
	}{
		{"https://" + hostOf(bsrv) + "/", hostOf(bsrv), "carol", "pw"},
		{hostOf(srv) + "/team/app", hostOf(srv) + "/team/app", "dave", "pw2"},
	} {
		if err := Login(t.Context(), tc.server, transport.Credentials{Username: tc.user, Password: tc.pass}, plain()); err != nil {
			t.Fatalf("login %s: %v", tc.server, err)
		}
		raw, _ := os.ReadFile(primary)
		if !strings.Contains(string(raw), `"`+tc.key+`": {`) || !strings.Contains(string(raw), base64.StdEncoding.EncodeToString([]byte(tc.user+":"+tc.pass))) {
			t.Fatalf("auth file after login %s:\n%s", tc.server, raw)
		}
		user, err := LoginUser(t.Context(), tc.server, transport.Options{})
		if err != nil || user != tc.user {
			t.Fatalf("LoginUser(%s) = %q, %v", tc.server, user, err)
		}
	}
	// A stored credential is found and checked; an unknown server has none.
	if found, err := CheckStoredLogin(t.Context(), hostOf(srv)+"/team/app", plain()); !found || err != nil {
		t.Fatalf("CheckStoredLogin after login: %v %v", found, err)
	}
	if found, err := CheckStoredLogin(t.Context(), "127.0.0.1:1", plain()); found || err != nil {
		t.Fatalf("CheckStoredLogin of an unknown server: %v %v", found, err)
	}
	basic.users["dave"] = "changed"
	if found, err := CheckStoredLogin(t.Context(), hostOf(srv)+"/team/app", plain()); !found || !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("CheckStoredLogin with a stale password: %v %v", found, err)
	}
	basic.users["dave"] = "pw2"
	// The stored credential is used by a copy.
	newTestImage(t, "a").store(basic, "team/app", "v1")
	if err := resolveWith2(t, hostOf(srv), "team/app:v1"); err != nil {
		t.Fatalf("pull after login: %v", err)
	}

	if err := Logout(t.Context(), hostOf(bsrv), false, transport.Options{}); err != nil {
		t.Fatal(err)
	}
	err := Logout(t.Context(), hostOf(bsrv), false, transport.Options{})
	if !errors.Is(err, authfile.ErrNotLoggedIn) || err.Error() != "not logged into "+hostOf(bsrv) {
		t.Fatalf("second logout: %v", err)
	}
	if _, err := LoginUser(t.Context(), hostOf(bsrv), transport.Options{}); !errors.Is(err, authfile.ErrNotLoggedIn) {
		t.Fatalf("LoginUser after logout: %v", err)
	}
	if err := Logout(t.Context(), "", true, transport.Options{}); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(primary); strings.Contains(string(raw), "team/app") {
		t.Fatalf("logout --all left %s", raw)
	}
	for _, bad := range []string{"docker://" + hostOf(srv), hostOf(srv) + "/app:tag", hostOf(srv) + "/app@sha256:" + strings.Repeat("a", 64), "", "a b"} {
		if err := Login(t.Context(), bad, transport.Credentials{Username: "u", Password: "p"}, plain()); err == nil {
			t.Errorf("Login(%q) accepted", bad)
		}
	}
}

func resolveWith2(t *testing.T, host, rest string) error {
	t.Helper()
	src, err := OpenSource(t.Context(), name(t, host, rest), plain())
	if err != nil {
		return err
	}
	_, err = src.Resolve(t.Context())
	return err
}

func TestLoginKey(t *testing.T) {
	for in, want := range map[string]string{
		"quay.io":                     "quay.io",
		"https://quay.io/":            "quay.io",
		"localhost:5000/a/b":          "localhost:5000/a/b",
		"docker.io/busybox":           "docker.io/library/busybox",
		"index.docker.io":             "docker.io",
		"http://127.0.0.1:5000/x/y/z": "127.0.0.1:5000/x/y/z",
	} {
		key, _, err := LoginKey(in)
		if err != nil || key != want {
			t.Errorf("LoginKey(%q) = %q, %v; want %q", in, key, err, want)
		}
	}
	_, _, err := LoginKey("docker://127.0.0.1:5000")
	if err == nil || err.Error() != `invalid registry "docker://127.0.0.1:5000": expected HOST[:PORT][/REPOSITORY] without "docker://"` {
		t.Errorf("LoginKey(docker://...): %v", err)
	}
}

func TestDelete(t *testing.T) {
	setup(t)
	reg := newFakeRegistry()
	img := newTestImage(t, "a")
	img.store(reg, "app", "v1")
	reg.addManifest("app", "v2", "application/vnd.oci.image.manifest.v1+json", img.manifest)
	srv := reg.start()
	defer srv.Close()
	d, err := Delete(t.Context(), name(t, hostOf(srv), "app:v1"), plain())
	if err != nil || d != img.desc.Digest {
		t.Fatalf("Delete = %s, %v", d, err)
	}
	if _, ok := reg.bodyOf("app", img.desc.Digest); ok {
		t.Fatal("manifest still there")
	}
	tags, _ := Tags(t.Context(), *name(t, hostOf(srv), "app").Ref, plain())
	if len(tags) != 0 {
		t.Fatalf("tags after delete: %v (a manifest delete removes every tag on it)", tags)
	}
	if _, err := Delete(t.Context(), name(t, hostOf(srv), "app:v1"), plain()); !errors.Is(err, transport.ErrNotFound) {
		t.Fatalf("delete of a missing tag: %v", err)
	}
}
