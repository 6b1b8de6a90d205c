package inspect

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/casext/mediatype"
)

// FuzzInspect inspects an arbitrary top document (of any of the media
// types lade reads, or none) whose config, when it names one, is another
// arbitrary document: no panic, one-line errors, and output that encodes.
func FuzzInspect(f *testing.F) {
	f.Add(`{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$C","size":$S},"layers":[]}`, customConfig, uint8(0))
	f.Add(`{"schemaVersion":2,"config":{"mediaType":"x","digest":"$C","size":$S},"layers":[{}]}`, minimalConfig, uint8(1))
	f.Add(`{"schemaVersion":2,"manifests":[{"digest":"$C","size":$S,"platform":{"os":"linux","architecture":"amd64"}}]}`, "{}", uint8(2))
	f.Add(`{"schemaVersion":1}`, "", uint8(4))
	types := []string{mediatype.Manifest, mediatype.DockerManifest, mediatype.Index, mediatype.DockerManifestList, ""}
	f.Fuzz(func(t *testing.T, top, config string, which uint8) {
		s := &memSource{name: mustParse(t, "docker://busybox")}
		c := s.put("", []byte(config))
		top = strings.ReplaceAll(top, "$C", c.Digest.String())
		top = strings.ReplaceAll(top, "$S", strconv.Itoa(len(config)))
		s.top = s.put(types[int(which)%len(types)], []byte(top))
		ctx := context.Background()
		check := func(err error) {
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		}
		out, err := Inspect(ctx, s, Options{Platform: Platform{OS: "linux", Architecture: "amd64"}})
		check(err)
		if err == nil {
			check(WriteJSON(new(bytes.Buffer), out))
		}
		cfg, err := Config(ctx, s, Platform{OS: "linux", Architecture: "amd64"})
		check(err)
		if err == nil {
			check(WriteJSON(new(bytes.Buffer), cfg))
		}
	})
}
