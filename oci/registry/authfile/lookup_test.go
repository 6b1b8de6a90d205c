package authfile

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestPathsChain(t *testing.T) {
	home := isolate(t)
	got := Paths("")
	want := []Path{
		{Name: filepath.Join(home, "run/containers/auth.json")},
		{Name: filepath.Join(home, ".config/containers/auth.json")},
		{Name: filepath.Join(home, ".docker/config.json")},
		{Name: filepath.Join(home, ".dockercfg"), Legacy: true},
	}
	if len(got) != len(want) {
		t.Fatalf("Paths = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Paths[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	t.Setenv("REGISTRY_AUTH_FILE", "/env/auth.json")
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	t.Setenv("DOCKER_CONFIG", "/dc")
	got = Paths("")
	if got[0].Name != "/env/auth.json" || got[1].Name != "/xdg/containers/auth.json" || got[2].Name != "/dc/config.json" {
		t.Fatalf("Paths with env = %v", got)
	}
	if p := Paths("/flag.json"); p[0].Name != "/flag.json" || len(p) != 4 {
		t.Fatalf("--authfile does not stop the chain: %v", p)
	}
	t.Setenv("REGISTRY_AUTH_FILE", "")
	t.Setenv("XDG_RUNTIME_DIR", "")
	if p := PrimaryPath(""); !strings.HasPrefix(p, "/run/containers/") || !strings.HasSuffix(p, "/auth.json") {
		t.Fatalf("PrimaryPath without XDG_RUNTIME_DIR = %q", p)
	}
}

func TestLookupOrderAndScopes(t *testing.T) {
	home := isolate(t)
	writeFile(t, filepath.Join(home, "run/containers/auth.json"), `{"auths":{
		"reg.example/team/app": {"auth": "`+b64("app:pw1")+`"},
		"reg.example/team": {"auth": "`+b64("team:pw2")+`"},
		"reg.example/other": {},
		"reg.example": {"auth": "`+b64("reg:pw3")+`"}}}`)
	writeFile(t, filepath.Join(home, ".docker/config.json"), `{"auths":{
		"https://index.docker.io/v1/": {"auth": "`+b64("hub:pw4")+`"},
		"docker-only.example": {"auth": "`+b64("dock:pw5")+`", "email": "x@y"},
		"tok.example": {"identitytoken": "refresh-me"}}}`)
	writeFile(t, filepath.Join(home, ".dockercfg"), `{"https://legacy.example/v1/": {"auth": "`+b64("old:pw6")+`", "email": "e"}}`)
	for _, tc := range []struct{ registry, repo, user, from string }{
		{"reg.example", "team/app", "app", "run/containers/auth.json"},
		{"reg.example", "team/app/sub", "app", "run/containers/auth.json"},
		{"reg.example", "team/web", "team", "run/containers/auth.json"},
		{"reg.example", "other/x", "reg", "run/containers/auth.json"},
		{"reg.example", "", "reg", "run/containers/auth.json"},
		{"docker.io", "library/busybox", "hub", ".docker/config.json"},
		{"docker-only.example", "a", "dock", ".docker/config.json"},
		{"legacy.example", "a/b", "old", ".dockercfg"},
		{"none.example", "a", "", ""},
	} {
		c, from, err := Lookup(t.Context(), Paths(""), tc.registry, tc.repo)
		if err != nil {
			t.Fatalf("Lookup(%s, %s): %v", tc.registry, tc.repo, err)
		}
		if c.Username != tc.user || (tc.from != "" && from != filepath.Join(home, tc.from)) {
			t.Errorf("Lookup(%s, %s) = %v from %q, want %q from %q", tc.registry, tc.repo, c, from, tc.user, tc.from)
		}
	}
	c, _, err := Lookup(t.Context(), Paths(""), "tok.example", "a")
	if err != nil || c.IdentityToken != "refresh-me" {
		t.Fatalf("identity token: %+v %v", c, err)
	}
}

func TestLookupAuthFileOverride(t *testing.T) {
	home := isolate(t)
	flag := filepath.Join(home, "flag.json")
	writeFile(t, flag, `{"auths":{"reg.example":{"auth":"`+b64("flag:pw")+`"}}}`)
	writeFile(t, filepath.Join(home, "run/containers/auth.json"), `{"auths":{"reg.example":{"auth":"`+b64("primary:pw")+`"},"b.example":{"auth":"`+b64("b:pw")+`"}}}`)
	writeFile(t, filepath.Join(home, ".config/containers/auth.json"), `{"auths":{"c.example":{"auth":"`+b64("c:pw")+`"}}}`)
	if c, _, _ := Lookup(t.Context(), Paths(flag), "reg.example", "x"); c.Username != "flag" {
		t.Fatalf("--authfile entry not preferred: %v", c)
	}
	// The flag replaces the primary file; the rest of the chain is still read.
	if c, _, _ := Lookup(t.Context(), Paths(flag), "b.example", "x"); c.Username != "" {
		t.Fatalf("primary file read although --authfile replaced it: %v", c)
	}
	if c, _, _ := Lookup(t.Context(), Paths(flag), "c.example", "x"); c.Username != "c" {
		t.Fatalf("chain stopped at --authfile: %v", c)
	}
}

func TestLookupErrorsHideSecrets(t *testing.T) {
	home := isolate(t)
	path := filepath.Join(home, "run/containers/auth.json")
	for _, content := range []string{
		`{"auths":{"reg.example":{"auth":"!!hunter2!!"}}}`,
		`{"auths":{"reg.example":{"auth":"` + b64("hunter2") + `"}}}`,
		`{"auths":{"reg.example":{"auth":7}}, "x": "hunter2"`,
		`{"auths":{"reg.example":"hunter2"}}`,
	} {
		writeFile(t, path, content)
		_, _, err := Lookup(t.Context(), Paths(""), "reg.example", "a")
		if err == nil {
			t.Fatalf("Lookup accepted %s", content)
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), b64("hunter2")) {
			t.Fatalf("error shows the secret: %v", err)
		}
	}
}

func TestLookupCredentialHelpers(t *testing.T) {
	home := isolate(t)
	store := installHelper(t, "fake")
	helperPut(t, store, "helped.example", "h-user", "h-secret")
	helperPut(t, store, "https://index.docker.io/v1/", "<token>", "refresh")
	helperPut(t, store, "stored.example", "s-user", "s-secret")
	writeFile(t, filepath.Join(home, ".docker/config.json"), `{
		"auths": {"helped.example": {"auth": "`+b64("ignored:pw")+`"}, "stored.example": {}},
		"credHelpers": {"helped.example": "fake", "docker.io": "fake"},
		"credsStore": "fake"}`)
	for _, tc := range []struct{ registry, user, pass, token string }{
		{"helped.example", "h-user", "h-secret", ""},
		{"docker.io", "", "", "refresh"},
		{"stored.example", "s-user", "s-secret", ""},
		{"unknown.example", "", "", ""},
	} {
		c, _, err := Lookup(t.Context(), Paths(""), tc.registry, "a/b")
		if err != nil {
			t.Fatalf("Lookup(%s): %v", tc.registry, err)
		}
		if c.Username != tc.user || c.Password != tc.pass || c.IdentityToken != tc.token {
			t.Errorf("Lookup(%s) = %+v", tc.registry, c)
		}
	}
	// A credsStore whose helper is not installed is ignored, a named
	// credHelpers entry is not.
	writeFile(t, filepath.Join(home, ".docker/config.json"), `{"credsStore": "missing"}`)
	if _, _, err := Lookup(t.Context(), Paths(""), "x.example", "a"); err != nil {
		t.Fatalf("missing credsStore helper: %v", err)
	}
	writeFile(t, filepath.Join(home, ".docker/config.json"), `{"credHelpers": {"x.example": "missing"}}`)
	if _, _, err := Lookup(t.Context(), Paths(""), "x.example", "a"); err == nil {
		t.Fatal("missing credHelpers helper did not fail")
	}
}
