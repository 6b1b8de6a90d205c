package authfile

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeHelperScript is a docker-credential-* helper keeping one JSON file
// per server address in $FAKE_HELPER_DIR, as the real helpers' protocol
// wants: "get" reads the address on stdin and prints
// {"ServerURL","Username","Secret"}, "store" reads that JSON, "erase"
// reads the address; a missing credential prints the not-found message
// and exits 1.
const fakeHelperScript = `#!/bin/sh
set -e
dir="$FAKE_HELPER_DIR"
case "$1" in
get)
	read -r addr || true
	f="$dir/$(printf %s "$addr" | tr '/:' '__')"
	if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
store)
	json=$(cat)
	addr=$(printf %s "$json" | sed 's/.*"ServerURL":"\([^"]*\)".*/\1/')
	printf %s "$json" > "$dir/$(printf %s "$addr" | tr '/:' '__')" ;;
erase)
	read -r addr || true
	f="$dir/$(printf %s "$addr" | tr '/:' '__')"
	if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
esac
`

// installHelper puts docker-credential-NAME on PATH and returns the
// directory it keeps credentials in.
func installHelper(t *testing.T, name string) string {
	t.Helper()
	bin := t.TempDir()
	store := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-"+name), []byte(fakeHelperScript), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_HELPER_DIR", store)
	return store
}

// helperPut stores a credential in the fake helper's directory directly.
func helperPut(t *testing.T, store, addr, user, secret string) {
	t.Helper()
	data := `{"ServerURL":"` + addr + `","Username":"` + user + `","Secret":"` + secret + `"}`
	name := filepath.Join(store, sanitize(addr))
	if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '/' || c == ':' {
			b[i] = '_'
		}
	}
	return string(b)
}

// isolate points every variable the chain reads at empty temporary
// directories and returns the home directory.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(home, "run"))
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("DOCKER_CONFIG", "")
	t.Setenv("REGISTRY_AUTH_FILE", "")
	if err := os.MkdirAll(filepath.Join(home, "run"), 0o700); err != nil {
		t.Fatal(err)
	}
	return home
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
