package policy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
)

// verdicts of Check.
const (
	ok    = "accept"
	rej   = "reject"
	nosig = "unverifiable"
)

// checkCase is one policy × name × verdict row. "$T" in the policy and the
// name stands for a temporary directory holding layouts/l1, layouts/l2,
// link -> layouts/l1, dirs/d1 and a.tar.
type checkCase struct {
	policy string
	name   string
	want   string
}

func transportsPolicy(def, kind string, scopes ...string) string {
	s := `{"default":` + def + `,"transports":{"` + kind + `":{`
	for i := 0; i+1 < len(scopes); i += 2 {
		if i > 0 {
			s += ","
		}
		s += `"` + scopes[i] + `":` + scopes[i+1]
	}
	return s + "}}}"
}

var checkCases = []checkCase{
	// The global default alone.
	{`{"default":` + accept + `}`, "docker://busybox", ok},
	{`{"default":` + reject + `}`, "docker://busybox", rej},
	{`{"default":` + gpg + `}`, "docker://busybox", nosig},
	{`{"default":[{"type":"insecureAcceptAnything"},{"type":"reject"}]}`, "docker://busybox", rej},
	{`{"default":[{"type":"reject"},{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k"}]}`, "docker://busybox", rej},
	{`{"default":[{"type":"insecureAcceptAnything"},{"type":"sigstoreSigned","keyPath":"/k"}]}`, "docker://busybox", nosig},
	{`{"default":[{"type":"signedBaseLayer","baseLayerIdentity":{"type":"matchRepository"}}]}`, "oci:$T/layouts/l1", nosig},

	// docker: each scope from the most to the least specific.
	{transportsPolicy(accept, "docker", "docker.io/library/busybox:latest", reject), "docker://busybox", rej},
	{transportsPolicy(accept, "docker", "docker.io/library/busybox:latest", reject), "docker://busybox:1.36", ok},
	{transportsPolicy(accept, "docker", "docker.io/library/busybox", reject), "docker://busybox:1.36", rej},
	{transportsPolicy(accept, "docker", "docker.io/library", reject), "docker://busybox", rej},
	{transportsPolicy(accept, "docker", "docker.io/library", reject), "docker://docker.io/foo/busybox", ok},
	{transportsPolicy(accept, "docker", "docker.io", reject), "docker://foo/bar", rej},
	{transportsPolicy(accept, "docker", "busybox", reject), "docker://busybox", ok},                // scopes are fully expanded
	{transportsPolicy(accept, "docker", "busybox:latest", reject), "docker://busybox", ok},         // ditto
	{transportsPolicy(accept, "docker", "docker.io/library/busy", reject), "docker://busybox", ok}, // no partial components
	{transportsPolicy(accept, "docker", "reg.example.com:5000/a/b/c:v1", reject), "docker://reg.example.com:5000/a/b/c:v1", rej},
	{transportsPolicy(accept, "docker", "reg.example.com:5000/a/b", reject), "docker://reg.example.com:5000/a/b/c:v1", rej},
	{transportsPolicy(accept, "docker", "reg.example.com:5000/a", reject), "docker://reg.example.com:5000/a/b/c:v1", rej},
	{transportsPolicy(accept, "docker", "reg.example.com:5000", reject), "docker://reg.example.com:5000/a/b/c:v1", rej},
	{transportsPolicy(accept, "docker", "reg.example.com", reject), "docker://reg.example.com:5000/a/b/c:v1", ok},
	{transportsPolicy(accept, "docker", "reg.example.com:5001", reject), "docker://reg.example.com:5000/a/b/c:v1", ok},
	// Digests are the identity of a digest reference, never of a tag.
	{transportsPolicy(accept, "docker", "quay.io/a/b@sha256:"+hex64, reject), "docker://quay.io/a/b@sha256:" + hex64, rej},
	{transportsPolicy(accept, "docker", "quay.io/a/b:latest", reject), "docker://quay.io/a/b@sha256:" + hex64, ok},
	{transportsPolicy(accept, "docker", "quay.io/a/b", reject), "docker://quay.io/a/b@sha256:" + hex64, rej},

	// docker: wildcards match subdomains (not the domain itself), the port
	// is ignored, and a host or namespace is more specific than a wildcard.
	{transportsPolicy(accept, "docker", "*.example.com", reject), "docker://reg.example.com:5000/a:v1", rej},
	{transportsPolicy(accept, "docker", "*.example.com", reject), "docker://a.b.example.com/x", rej},
	{transportsPolicy(accept, "docker", "*.b.example.com", reject), "docker://a.b.example.com/x", rej},
	{transportsPolicy(accept, "docker", "*.com", reject), "docker://a.b.example.com/x", rej},
	{transportsPolicy(accept, "docker", "*.example.com", reject), "docker://example.com/x", ok},
	{transportsPolicy(accept, "docker", "*.a.b.example.com", reject), "docker://a.b.example.com/x", ok},
	{transportsPolicy(accept, "docker", "*.example.com:5000", reject), "docker://reg.example.com:5000/a:v1", ok},
	{transportsPolicy(accept, "docker", "*.0.0.1", reject), "docker://127.0.0.1:5000/a:v1", rej},
	{transportsPolicy(accept, "docker", "*.io", reject), "docker://busybox", rej},
	{transportsPolicy(accept, "docker", "*.io", reject), "docker://localhost:5000/a", ok},
	{transportsPolicy(reject, "docker", "*.example.com", reject, "reg.example.com", accept), "docker://reg.example.com/a", ok},
	{transportsPolicy(reject, "docker", "*.example.com", accept, "*.com", reject), "docker://reg.example.com/a", ok},
	{transportsPolicy(reject, "docker", "*.com", accept, "*.example.com", reject), "docker://reg.example.com/a", rej},

	// Precedence: the most specific match wins, the others are ignored.
	{transportsPolicy(reject, "docker", "docker.io/library/busybox", accept), "docker://busybox", ok},
	{transportsPolicy(accept, "docker", "docker.io", reject, "docker.io/library/busybox", accept), "docker://busybox", ok},
	{transportsPolicy(accept, "docker", "docker.io/library/busybox", reject, "docker.io/library/busybox:1", accept), "docker://busybox:1", ok},
	{transportsPolicy(accept, "docker", "docker.io/library/busybox", reject, "docker.io/library/busybox:1", accept), "docker://busybox:2", rej},
	{transportsPolicy(accept, "docker", "docker.io/library/busybox", gpg, "docker.io", accept), "docker://busybox", nosig},
	{transportsPolicy(accept, "docker", "docker.io", gpg, "docker.io/library/busybox", accept), "docker://busybox", ok},
	// The transport's "" scope, then the global default.
	{transportsPolicy(reject, "docker", "", accept), "docker://busybox", ok},
	{transportsPolicy(accept, "docker", "", reject), "docker://busybox", rej},
	{transportsPolicy(accept, "docker", "", reject, "quay.io", accept), "docker://quay.io/a", ok},
	{transportsPolicy(reject, "docker", "quay.io", accept), "docker://busybox", rej},
	{transportsPolicy(reject, "docker", "", accept), "oci:$T/layouts/l1", rej}, // another transport's section
	{transportsPolicy(reject, "oci", "", accept), "oci-archive:$T/a.tar", rej}, // oci: is not oci-archive:

	// oci: the resolved layout directory and its parents; the tag is no
	// part of the identity (a "DIR:TAG" scope never matches).
	{transportsPolicy(accept, "oci", "$T/layouts/l1", reject), "oci:$T/layouts/l1:v1", rej},
	{transportsPolicy(accept, "oci", "$T/layouts/l1", reject), "oci:$T/layouts/l1", rej},
	{transportsPolicy(accept, "oci", "$T/layouts/l1:v1", reject), "oci:$T/layouts/l1:v1", ok},
	{transportsPolicy(accept, "oci", "$T/layouts", reject), "oci:$T/layouts/l1:v1", rej},
	{transportsPolicy(accept, "oci", "$T", reject), "oci:$T/layouts/l2", rej},
	{transportsPolicy(accept, "oci", "$T/layouts/l", reject), "oci:$T/layouts/l1", ok},
	{transportsPolicy(accept, "oci", "$T/layouts/l2", reject), "oci:$T/layouts/l1", ok},
	{transportsPolicy(reject, "oci", "$T/layouts", reject, "$T/layouts/l1", accept), "oci:$T/layouts/l1", ok},
	{transportsPolicy(reject, "oci", "$T/layouts", accept, "", reject), "oci:$T/layouts/l2", ok},
	// Symlinks resolve: the scope of the target applies, not the link's.
	{transportsPolicy(accept, "oci", "$T/layouts/l1", reject), "oci:$T/link:v1", rej},
	{transportsPolicy(accept, "oci", "$T/link", reject), "oci:$T/link:v1", ok},
	// A layout that does not exist yet has the identity it will have.
	{transportsPolicy(accept, "oci", "$T/layouts/new", reject), "oci:$T/layouts/new:v1", rej},

	// oci-archive: the resolved file and its parents.
	{transportsPolicy(accept, "oci-archive", "$T/a.tar", reject), "oci-archive:$T/a.tar:t", rej},
	{transportsPolicy(accept, "oci-archive", "$T", reject), "oci-archive:$T/a.tar", rej},
	{transportsPolicy(accept, "oci-archive", "$T/a", reject), "oci-archive:$T/a.tar", ok},

	// dir: the resolved directory and its parents.
	{transportsPolicy(accept, "dir", "$T/dirs/d1", reject), "dir:$T/dirs/d1", rej},
	{transportsPolicy(accept, "dir", "$T/dirs", reject), "dir:$T/dirs/d1", rej},
	{transportsPolicy(accept, "dir", "$T/dirs/d", reject), "dir:$T/dirs/d1", ok},
	{transportsPolicy(accept, "dir", "", reject), "dir:$T/dirs/d1", rej},

	// docker-archive: only the "" scope.
	{transportsPolicy(accept, "docker-archive", "", reject), "docker-archive:$T/a.tar", rej},
	{transportsPolicy(accept, "docker-archive", "", reject), "docker-archive:$T/a.tar:foo/bar:v1", rej},
	{transportsPolicy(reject, "docker-archive", "", accept), "docker-archive:$T/a.tar:@0", ok},
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// checkTree creates the files checkCases refer to under a fresh temporary
// directory (symlinks resolved, as t.TempDir may be under one).
func checkTree(t *testing.T) string {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"layouts/l1", "layouts/l2", "dirs/d1"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(root, "a.tar"), "")
	if err := os.Symlink("layouts/l1", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestCheck(t *testing.T) {
	root := checkTree(t)
	ctx := context.Background()
	for _, tc := range checkCases {
		doc := strings.ReplaceAll(tc.policy, "$T", root)
		name := strings.ReplaceAll(tc.name, "$T", root)
		p, err := Parse([]byte(doc))
		if err != nil {
			t.Fatalf("Parse(%s): %v", doc, err)
		}
		n, err := transport.Parse(name)
		if err != nil {
			t.Fatalf("transport.Parse(%q): %v", name, err)
		}
		got := verdict(t, p.Check(ctx, n))
		if got != tc.want {
			t.Errorf("policy %s\nimage %s: %s, want %s", doc, name, got, tc.want)
		}
	}
}

// verdict classifies an error of Check.
func verdict(t *testing.T, err error) string {
	t.Helper()
	switch {
	case err == nil:
		return ok
	case errors.Is(err, ErrRejected):
		return rej
	case errors.Is(err, ErrUnverifiable):
		return nosig
	}
	t.Errorf("Check: unexpected error %v", err)
	return "error"
}

func TestCheckMessages(t *testing.T) {
	root := checkTree(t)
	rejectAll, err := Parse([]byte(`{"default":` + reject + `}`))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"docker://busybox":                     "Running image docker://busybox:latest is rejected by policy.",
		"docker://docker.io/library/busybox:1": "Running image docker://busybox:1 is rejected by policy.",
		"docker://foo/bar@sha256:" + hex64:     "Running image docker://foo/bar@sha256:" + hex64 + " is rejected by policy.",
		"docker://docker.io/library/a/b":       "Running image docker://library/a/b:latest is rejected by policy.",
		"docker://127.0.0.1:5000/ns/app:v1":    "Running image docker://127.0.0.1:5000/ns/app:v1 is rejected by policy.",
		"oci:layouts/l1:t":                     "Running image oci:layouts/l1:t is rejected by policy.",
		"oci:layouts/l1":                       "Running image oci:layouts/l1: is rejected by policy.",
		"oci-archive:a.tar":                    "Running image oci-archive:a.tar: is rejected by policy.",
		"dir:./dirs/d1/":                       "Running image dir:./dirs/d1/ is rejected by policy.",
		"docker-archive:a.tar":                 "Running image docker-archive:a.tar is rejected by policy.",
		"docker-archive:a.tar:foo/bar:v1":      "Running image docker-archive:a.tar:docker.io/foo/bar:v1 is rejected by policy.",
		"docker-archive:a.tar:@1":              "Running image docker-archive:a.tar:@1 is rejected by policy.",
	} {
		n, err := transport.Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Chdir(root)
		err = rejectAll.Check(context.Background(), n)
		if err == nil || err.Error() != "Source image rejected: "+want {
			t.Errorf("Check(%s) = %v, want %q", name, err, "Source image rejected: "+want)
		}
	}

	signed, err := Parse([]byte(transportsPolicy(accept, "docker", "docker.io/library", gpg)))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := transport.Parse("docker://busybox")
	err = signed.Check(context.Background(), n)
	want := `policy requires a signedBy signature for docker://busybox:latest (transports.docker."docker.io/library") ` +
		"but lade cannot verify signatures: use --insecure-policy, or a policy with insecureAcceptAnything for this scope"
	if err == nil || err.Error() != want {
		t.Errorf("Check(signedBy) = %v\nwant %s", err, want)
	}
}

func TestCheckUnresolvablePath(t *testing.T) {
	root := checkTree(t)
	p, err := Parse([]byte(transportsPolicy(accept, "oci", "", accept)))
	if err != nil {
		t.Fatal(err)
	}
	// The parent of the layout must exist for the path to be resolved.
	n, _ := transport.Parse("oci:" + root + "/missing/layout:t")
	if err := p.Check(context.Background(), n); err == nil || errors.Is(err, ErrRejected) {
		t.Fatalf("Check(%s) = %v, want a path error", n, err)
	}
	// Without a section for the transport no path is resolved.
	p, _ = Parse([]byte(`{"default":` + accept + `}`))
	if err := p.Check(context.Background(), n); err != nil {
		t.Fatalf("Check(%s) with only a default = %v", n, err)
	}
	// Paths are made absolute before symlinks are resolved, as by skopeo:
	// link/.. is root, not layouts.
	p, _ = Parse([]byte(transportsPolicy(accept, "oci", "", accept)))
	n, _ = transport.Parse("oci:" + root + "/link/../l2")
	if err := p.Check(context.Background(), n); err == nil {
		t.Fatalf("Check(%s) succeeded, want a path error", n)
	}
	// A dangling symlink is not a layout to be.
	if err := os.Symlink("nowhere", filepath.Join(root, "dangling")); err != nil {
		t.Fatal(err)
	}
	p, _ = Parse([]byte(transportsPolicy(accept, "dir", "", accept)))
	n, _ = transport.Parse("dir:" + root + "/dangling")
	if err := p.Check(context.Background(), n); err == nil {
		t.Fatalf("Check(%s) through a dangling symlink succeeded", n)
	}
}
