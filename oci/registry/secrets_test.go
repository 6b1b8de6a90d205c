package registry

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
)

// TestSecretsStayOut drives successful and failing basic, bearer and
// login flows with debug logging on, and checks that no password, basic
// header, bearer token or signed URL query shows in a log line or error.
func TestSecretsStayOut(t *testing.T) {
	home := setup(t)
	logs := captureLogs(t)
	const password = "Pa55-very-secret"
	ts, tsrv := newTokenServer(map[string]string{"erin": password})
	defer tsrv.Close()
	bearer := newFakeRegistry()
	bearer.bearer = ts
	newTestImage(t, "a").store(bearer, "app", "v1")
	bsrv := bearer.start()
	defer bsrv.Close()
	basic := newFakeRegistry()
	basic.users = map[string]string{"erin": password}
	img := newTestImage(t, "b")
	img.store(basic, "app", "v1")
	basic.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/blobs/") && r.URL.Query().Get("sig") == "" {
			http.Redirect(w, r, r.URL.Path+"?sig=SIGNATURE-SECRET&n=1", http.StatusTemporaryRedirect)
			return true
		}
		return false
	}
	srv := basic.start()
	defer srv.Close()

	var errs []string
	note := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	for _, host := range []string{hostOf(bsrv), hostOf(srv)} {
		for _, pw := range []string{password, password + "-wrong"} {
			opts := plain()
			opts.Credentials = &transport.Credentials{Username: "erin", Password: pw}
			src, err := OpenSource(t.Context(), name(t, host, "app:v1"), opts)
			note(err)
			if err == nil {
				_, err = src.Resolve(t.Context())
				note(err)
				_, err = readAll(t.Context(), src, img.layerDesc())
				note(err)
			}
			note(Login(t.Context(), host, transport.Credentials{Username: "erin", Password: pw}, plain()))
		}
	}
	unwritable := plain()
	unwritable.AuthFile = home + "/file/auth.json"
	writeFiles(t, home, map[string][]byte{"file": nil})
	note(Login(t.Context(), hostOf(srv), transport.Credentials{Username: "erin", Password: password}, unwritable))
	if len(errs) < 4 {
		t.Fatalf("expected failures in the flows, got %v", errs)
	}
	out := logs.String()
	if !strings.Contains(out, "registry request") || !strings.Contains(out, "REDACTED") {
		t.Fatalf("debug log has no redacted request lines:\n%s", out)
	}
	all := out + "\n" + strings.Join(errs, "\n")
	for _, secret := range []string{
		password, base64.StdEncoding.EncodeToString([]byte("erin:" + password)),
		"tok-1", "tok-2", "SIGNATURE-SECRET", "Authorization", "Bearer ",
	} {
		if strings.Contains(all, secret) {
			t.Fatalf("%q appears in logs or errors:\n%s", secret, all)
		}
	}
}
