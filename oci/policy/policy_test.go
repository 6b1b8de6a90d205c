package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	accept = `[{"type":"insecureAcceptAnything"}]`
	reject = `[{"type":"reject"}]`
	gpg    = `[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.gpg"}]`
)

func TestParseValid(t *testing.T) {
	for _, doc := range []string{
		`{"default":` + accept + `}`,
		`{"default":` + reject + `,"transports":{}}`,
		`{"default":` + reject + `,"transports":{"docker":{}}}`,
		`{"default":[{"type":"insecureAcceptAnything"},{"type":"reject"}]}`,
		// Every signature requirement shape containers-policy.json(5) documents.
		`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPaths":["/a","/b"]}]}`,
		`{"default":[{"type":"signedBy","keyType":"signedByGPGKeys","keyData":"aGVsbG8=","signedIdentity":{"type":"matchExact"}}]}`,
		`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"matchRepoDigestOrExact"}}]}`,
		`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"matchRepository"}}]}`,
		`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"exactReference","dockerReference":"busybox:1"}}]}`,
		`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"exactRepository","dockerRepository":"quay.io/a/b"}}]}`,
		`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"remapIdentity","prefix":"mirror:5000/vendor","signedPrefix":"vendor.example.com"}}]}`,
		`{"default":[{"type":"sigstoreSigned","keyPath":"/k.pub"}]}`,
		`{"default":[{"type":"sigstoreSigned","keyData":"a2V5","signedIdentity":{"type":"matchRepository"}}]}`,
		`{"default":[{"type":"sigstoreSigned","fulcio":{"caPath":"/ca"},"rekorPublicKeyPath":"/r"}]}`,
		`{"default":[{"type":"signedBaseLayer","baseLayerIdentity":{"type":"exactRepository","dockerRepository":"busybox"}}]}`,
		// Scopes as each transport accepts them.
		`{"default":` + reject + `,"transports":{"docker":{"":` + accept + `,"docker.io/library/busybox:latest":` + accept +
			`,"docker.io":` + reject + `,"*.example.com":` + accept + `,"anything at all":` + accept + `}}}`,
		`{"default":` + reject + `,"transports":{"oci":{"/a/b":` + accept + `,"/a/b:tag":` + accept + `},"oci-archive":{"/x.tar":` + accept + `}}}`,
		`{"default":` + reject + `,"transports":{"dir":{"/d":` + accept + `},"docker-archive":{"":` + accept + `}}}`,
		`{"default":` + reject + `,"transports":{"docker-daemon":{"busybox:latest":` + accept + `},"tarball":{"":` + accept + `}}}`,
		`{"default":` + reject + `,"transports":{"containers-storage":{"[overlay@/var/lib/containers/storage]":` + accept + `,"[/graph]busybox":` + accept + `}}}`,
		// Transports skopeo does not know take any scope.
		`{"default":` + reject + `,"transports":{"atomic":{"x":` + accept + `},"ostree":{"x":` + accept + `},"made-up":{"y":` + gpg + `}}}`,
		" \n{\"default\":" + accept + "}\n ",
	} {
		if _, err := Parse([]byte(doc)); err != nil {
			t.Errorf("Parse(%s): %v", doc, err)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{``, "unexpected end of JSON input"},
		{`[]`, `expected a JSON object, got "["`},
		{`null`, "expected a JSON object, got null"},
		{`{}`, `"default" requirements are missing`},
		{`{"transports":{}}`, `"default" requirements are missing`},
		{`{"default":[]}`, "default: list of requirements must not be empty"},
		{`{"default":null}`, "default: requirements must be a JSON array"},
		{`{"default":{}}`, "default: requirements must be a JSON array"},
		{`{"default":` + accept + `,"default":` + reject + `}`, `duplicate key "default"`},
		{`{"default":` + accept + `,"Default":` + reject + `}`, `unknown key "Default"`},
		{`{"default":` + accept + `} {}`, "unexpected data after the JSON object"},
		{`{"default":` + accept + `} x`, "unexpected data after the JSON object"},
		{`{"default":` + accept + `,}`, "invalid character"},
		{`{"default":[{"type":"foo"}]}`, `requirement 1: unknown policy requirement type "foo"`},
		{`{"default":[{"type":"insecureAcceptAnything"},{}]}`, `requirement 2: key "type" missing`},
		{`{"default":[{"type":7}]}`, "type: unexpected JSON number"},
		{`{"default":["reject"]}`, "expected a JSON object"},
		{`{"default":[{"type":"reject","x":1}]}`, `reject: unknown key "x"`},
		{`{"default":[{"type":"reject","type":"reject"}]}`, `duplicate key "type"`},
		{`{"default":` + accept + `,"transports":null}`, "transports: expected a JSON object, got null"},
		{`{"default":` + accept + `,"transports":{"docker":[]}}`, `transports: docker: expected a JSON object, got "["`},
		{`{"default":` + accept + `,"transports":{"docker":{"a":[]}}}`, `transports: docker: scope "a": list of requirements must not be empty`},
		{`{"default":` + accept + `,"transports":{"docker":{"a":` + accept + `,"a":` + accept + `}}}`, `duplicate key "a"`},
		{`{"default":` + accept + `,"transports":{"oci":{"rel/path":` + accept + `}}}`, `oci: invalid scope "rel/path": must be an absolute path`},
		{`{"default":` + accept + `,"transports":{"oci":{"/":` + accept + `}}}`, `oci: invalid scope "/"`},
		{`{"default":` + accept + `,"transports":{"oci-archive":{"/a/../b":` + accept + `}}}`, `perhaps try "/b"`},
		{`{"default":` + accept + `,"transports":{"dir":{"/a/":` + accept + `}}}`, `perhaps try "/a"`},
		{`{"default":` + accept + `,"transports":{"docker-archive":{"/a.tar":` + accept + `}}}`, `does not support any scopes except the default ""`},
		{`{"default":` + accept + `,"transports":{"docker-daemon":{"sha256:` + strings.Repeat("0", 64) + `":` + accept + `}}}`, "can not use algo:digest"},
		{`{"default":` + accept + `,"transports":{"containers-storage":{"busybox":` + accept + `}}}`, "[store] specification"},
		{`{"default":[{"type":"signedBy","keyType":"GPGKeys"}]}`, "exactly one of keyPath, keyPaths and keyData"},
		{`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","keyData":"YQ=="}]}`, "exactly one of keyPath, keyPaths and keyData"},
		{`{"default":[{"type":"signedBy","keyPath":"/a"}]}`, `invalid keyType ""`},
		{`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":""}]}`, "exactly one of keyPath, keyPaths and keyData"},
		{`{"default":[{"type":"signedBy","keyType":"PGP","keyPath":"/a"}]}`, `invalid keyType "PGP"`},
		{`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"not base64!"}]}`, "keyData"},
		{`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","signedIdentity":{"type":"matchAll"}}]}`, `unknown policy reference match type "matchAll"`},
		{`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","signedIdentity":{"type":"matchExact","x":1}}]}`, `unknown key "x"`},
		{`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","signedIdentity":{"type":"exactReference","dockerReference":"busybox"}}]}`, "neither a tag nor a digest"},
		{`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","signedIdentity":{"type":"exactReference"}}]}`, `key "dockerReference" missing`},
		{`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","signedIdentity":{"type":"exactRepository","dockerRepository":"Bad"}}]}`, "invalid dockerRepository"},
		{`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","signedIdentity":{"type":"remapIdentity","prefix":"a/b:tag","signedPrefix":"c"}}]}`, `invalid prefix "a/b:tag"`},
		{`{"default":[{"type":"sigstoreSigned"}]}`, "no key material"},
		{`{"default":[{"type":"sigstoreSigned","keyPath":7}]}`, "keyPath: unexpected JSON number"},
		{`{"default":[{"type":"sigstoreSigned","keyPath":"/k","keyType":"GPGKeys"}]}`, `unknown key "keyType"`},
		{`{"default":[{"type":"signedBaseLayer"}]}`, `key "baseLayerIdentity" missing`},
	} {
		_, err := Parse([]byte(tc.doc))
		if err == nil {
			t.Errorf("Parse(%s) succeeded, want an error containing %q", tc.doc, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %q, want it to contain %q", tc.doc, err, tc.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%s): error spans lines: %q", tc.doc, err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	writeFile(t, good, `{"default":`+reject+`}`)
	p, err := Load(good)
	if err != nil || p.Path() != good {
		t.Fatalf("Load(good) = %v, %v", p, err)
	}

	bad := filepath.Join(dir, "bad.json")
	writeFile(t, bad, `{"default":[]}`)
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("Load(bad) = %v, want an error naming the file", err)
	}

	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("Load(missing) = %v", err)
	}

	// A file over the cap is refused before it is parsed, even when valid.
	big := filepath.Join(dir, "big.json")
	writeFile(t, big, `{"default":`+accept+`}`+strings.Repeat(" ", MaxPolicySize))
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("Load(big) = %v, want a size error", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
