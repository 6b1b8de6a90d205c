package authfile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return m
}

func TestStoreKeepsOtherEntriesAndKeys(t *testing.T) {
	home := isolate(t)
	path := filepath.Join(home, "run/containers/auth.json")
	writeFile(t, path, `{"auths":{"a.example":{"auth":"`+b64("a:pw")+`","email":"a@x"},
		"reg.example":{"auth":"`+b64("old:old")+`","identitytoken":"t","email":"keep"}},
		"credHelpers":{"c.example":"none"},"credsStore":"s","psFormat":"{{.ID}}"}`)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Store(t.Context(), "", "reg.example", Credential{Username: "new", Password: "p:w"}); err != nil {
		t.Fatal(err)
	}
	m := readJSON(t, path)
	auths := m["auths"].(map[string]any)
	if a := auths["a.example"].(map[string]any); a["email"] != "a@x" {
		t.Fatalf("other entry changed: %v", a)
	}
	r := auths["reg.example"].(map[string]any)
	if r["auth"] != b64("new:p:w") || r["identitytoken"] != nil || r["email"] != "keep" {
		t.Fatalf("stored entry = %v", r)
	}
	if m["psFormat"] != "{{.ID}}" || m["credsStore"] != "s" || m["credHelpers"].(map[string]any)["c.example"] != "none" {
		t.Fatalf("unknown keys lost: %v", m)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v", fi.Mode(), err)
	}
	c, _, err := Lookup(t.Context(), Paths(""), "reg.example", "x")
	if err != nil || c.Username != "new" || c.Password != "p:w" {
		t.Fatalf("lookup after store: %+v %v", c, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left files next to the auth file: %v", entries)
	}
}

func TestStoreCreatesPrimaryFile(t *testing.T) {
	home := isolate(t)
	if err := Store(t.Context(), "", "reg.example/ns/repo", Credential{Username: "u", Password: "p"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, "run/containers/auth.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n\t\"auths\": {\n\t\t\"reg.example/ns/repo\": {\n\t\t\t\"auth\": \"" + b64("u:p") + "\"\n\t\t}\n\t}\n}"
	if string(raw) != want {
		t.Fatalf("auth file =\n%s\nwant\n%s", raw, want)
	}
	if fi, _ := os.Stat(filepath.Dir(path)); fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v", fi.Mode())
	}
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(home, "missing"))
	if err := Store(t.Context(), "", "reg.example", Credential{Username: "u", Password: "p"}); err == nil {
		t.Fatal("Store created a missing XDG_RUNTIME_DIR")
	}
	flag := filepath.Join(home, "sub/flag.json")
	if err := Store(t.Context(), flag, "reg.example", Credential{Username: "u", Password: "p"}); err != nil {
		t.Fatalf("--authfile in a missing XDG_RUNTIME_DIR: %v", err)
	}
	t.Setenv("REGISTRY_AUTH_FILE", filepath.Join(home, "env.json"))
	if err := Store(t.Context(), "", "reg.example", Credential{Username: "u", Password: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, "env.json")); err != nil {
		t.Fatalf("REGISTRY_AUTH_FILE not written: %v", err)
	}
}

func TestStoreRefusesBrokenFile(t *testing.T) {
	home := isolate(t)
	path := filepath.Join(home, "run/containers/auth.json")
	writeFile(t, path, `{"auths": [`)
	if err := Store(t.Context(), "", "reg.example", Credential{Username: "u", Password: "p"}); err == nil {
		t.Fatal("Store overwrote an unparsable auth file")
	}
	if raw, _ := os.ReadFile(path); string(raw) != `{"auths": [` {
		t.Fatalf("broken file changed: %s", raw)
	}
}

func TestRemove(t *testing.T) {
	home := isolate(t)
	path := filepath.Join(home, "run/containers/auth.json")
	writeFile(t, path, `{"auths":{"https://reg.example/v1/":{"auth":"eDp5"},"reg.example/ns":{"auth":"eDp5"},"b.example":{"auth":"eDp5"}},"x":1}`)
	if err := Remove(t.Context(), "", "reg.example"); err != nil {
		t.Fatal(err)
	}
	auths := readJSON(t, path)["auths"].(map[string]any)
	if len(auths) != 2 || auths["reg.example/ns"] == nil {
		t.Fatalf("after logout reg.example: %v", auths)
	}
	err := Remove(t.Context(), "", "reg.example")
	if !errors.Is(err, ErrNotLoggedIn) || err.Error() != "not logged into reg.example" {
		t.Fatalf("second logout = %v", err)
	}
	if err := Remove(t.Context(), "", "reg.example/ns"); err != nil {
		t.Fatal(err)
	}
	if err := RemoveAll(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	m := readJSON(t, path)
	if len(m["auths"].(map[string]any)) != 0 || m["x"] != float64(1) {
		t.Fatalf("after logout --all: %v", m)
	}
	other := filepath.Join(home, "none.json")
	if err := RemoveAll(t.Context(), other); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("logout --all created a missing auth file")
	}
}

func TestHelperStoreAndErase(t *testing.T) {
	home := isolate(t)
	store := installHelper(t, "fake")
	path := filepath.Join(home, "run/containers/auth.json")
	writeFile(t, path, `{"credHelpers":{"helped.example":"fake"}}`)
	before, _ := os.ReadFile(path)
	if err := Store(t.Context(), "", "helped.example", Credential{Username: "u", Password: "secret"}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(store, "helped.example"))
	if err != nil || !strings.Contains(string(raw), `"Secret":"secret"`) {
		t.Fatalf("helper store: %s %v", raw, err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatalf("auth file changed although a helper holds the credential: %s", after)
	}
	if c, _, err := Lookup(t.Context(), Paths(""), "helped.example", "a"); err != nil || c.Password != "secret" {
		t.Fatalf("lookup through helper: %+v %v", c, err)
	}
	if err := Store(t.Context(), "", "helped.example/ns/repo", Credential{Username: "u", Password: "p"}); err == nil {
		t.Fatal("repository-scoped key stored in a per-registry helper")
	}
	if err := Remove(t.Context(), "", "helped.example"); err != nil {
		t.Fatal(err)
	}
	if err := Remove(t.Context(), "", "helped.example"); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("second helper erase = %v", err)
	}
	helperPut(t, store, "helped.example", "u", "p")
	if err := RemoveAll(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(store, "helped.example")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("logout --all left the helper's credential")
	}
}
