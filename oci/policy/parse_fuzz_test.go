package policy

import (
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
)

// FuzzParse feeds arbitrary documents to Parse: it must never panic, its
// errors are one line, and a policy it accepts has a default and can be
// checked.
func FuzzParse(f *testing.F) {
	f.Add(`{"default":[{"type":"insecureAcceptAnything"}]}`)
	f.Add(`{"default":[{"type":"reject"}],"transports":{"docker":{"docker.io":[{"type":"insecureAcceptAnything"}]}}}`)
	f.Add(`{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"remapIdentity","prefix":"a","signedPrefix":"b"}}]}`)
	f.Add(`{"default":[{"type":"sigstoreSigned","keyData":"eA==","signedIdentity":{"type":"exactReference","dockerReference":"a:b"}}]}`)
	f.Add(`{"default":[],"transports":{"oci":{"/a":[{"type":"reject"}]}}}`)
	f.Add(`{"default":[{"type":"reject"}],"default":null}`)
	f.Add("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"dir\":{\"/a\\n/\":[]}}}")
	busybox, err := transport.Parse("docker://busybox")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := Parse([]byte(doc))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		if len(p.def) == 0 {
			t.Fatalf("accepted a policy without default requirements: %s", doc)
		}
		_ = p.Check(t.Context(), busybox)
	})
}
