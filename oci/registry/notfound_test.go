package registry

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
)

// A missing manifest, repository or blob is worded with the registry's
// error code and message, as skopeo prints them ("manifest unknown:
// manifest unknown"), or with the code the distribution spec names when
// the 404 had no body; it still matches transport.ErrNotFound.
func TestNotFoundTexts(t *testing.T) {
	setup(t)
	img := newTestImage(t, "a")
	reg := newFakeRegistry()
	img.store(reg, "app", "v1")
	var bare atomic.Bool // answer 404 without a body
	reg.hook = func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case bare.Load() && r.URL.Path != "/v2/":
			w.WriteHeader(http.StatusNotFound)
		case strings.HasPrefix(r.URL.Path, "/v2/nope/"):
			writeError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		default:
			return false
		}
		return true
	}
	srv := reg.start()
	defer srv.Close()
	host := hostOf(srv)

	resolve := func(rest string) error {
		src, err := OpenSource(t.Context(), name(t, host, rest), plain())
		if err != nil {
			t.Fatal(err)
		}
		_, err = src.Resolve(t.Context())
		return err
	}
	check := func(what string, err error, suffix string) {
		t.Helper()
		if !errors.Is(err, transport.ErrNotFound) || !strings.HasSuffix(err.Error(), suffix) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line ending in %q and matching ErrNotFound", what, err, suffix)
		}
	}
	check("missing tag", resolve("app:nothere"), "read manifest nothere in "+host+"/app: manifest unknown: manifest unknown")
	check("missing repository", resolve("nope:v1"), "name unknown: repository name not known to registry")
	_, err := Delete(t.Context(), name(t, host, "app:gone"), plain())
	check("delete of a missing tag", err, "manifest unknown: manifest unknown")

	src, err := OpenSource(t.Context(), name(t, host, "app:v1"), plain())
	if err != nil {
		t.Fatal(err)
	}
	missing := img.layerDesc()
	missing.Digest = newTestImage(t, "b").layerDesc().Digest
	_, err = readAll(t.Context(), src, missing)
	check("missing blob", err, "from "+host+"/app: blob unknown: blob unknown to registry")

	bare.Store(true)
	check("missing tag, no body", resolve("app:nothere"), "in "+host+"/app: manifest unknown")
	_, err = readAll(t.Context(), src, missing)
	check("missing blob, no body", err, "from "+host+"/app: blob unknown")

	// A destination's check of a missing blob is no error.
	bare.Store(false)
	dst, err := OpenDestination(t.Context(), name(t, host, "app:v1"), plain())
	if err != nil {
		t.Fatal(err)
	}
	if has, err := dst.Has(t.Context(), missing); has || err != nil {
		t.Fatalf("Has(missing) = %v, %v", has, err)
	}
}
