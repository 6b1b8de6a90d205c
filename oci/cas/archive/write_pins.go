package archive

import (
	"context"
	"encoding/json"
	"io"
	"path"
	"strings"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// pinsOf returns the blobs that members the archive keeps unchanged name
// (see the package documentation): the Config and Layers of Docker's
// manifest.json, and the blob members that a symbolic or hard link member
// outside the layout points to. DeleteBlob keeps them, so that gc never
// leaves a dangling link or a manifest.json naming a missing member (which
// would break docker load and tar extraction). The value says why.
func pinsOf(cat *catalog, r io.ReaderAt) map[digest.Digest]string {
	pins := map[digest.Digest]string{}
	pin := func(target, why string) {
		hex, ok := strings.CutPrefix(target, blobPrefix)
		if !ok {
			return
		}
		d := digest.NewDigestFromEncoded(cas.BlobAlgorithm, hex)
		if _, ok := cat.blobs[d]; ok && pins[d] == "" {
			pins[d] = why
		}
	}
	for name, m := range cat.members {
		if name == layoutFile || name == indexFile || strings.HasPrefix(name, blobPrefix) {
			continue
		}
		if m.hard != "" {
			pin(m.hard, "hard link "+name)
		}
		for hops, cur := 0, m; cur.link != "" && hops < maxLinkHops; hops++ {
			if strings.HasPrefix(cur.link, "/") {
				break
			}
			target := path.Join(path.Dir(cur.name), cur.link)
			pin(target, "symbolic link "+name)
			cur = cat.members[target]
		}
	}
	if m, ok := cat.members[legacyManifestFile]; ok && m.bad == "" && m.mem == nil && m.size <= cas.MaxIndexSize {
		var entries []struct {
			Config string
			Layers []string
		}
		data := make([]byte, m.size)
		if _, err := r.ReadAt(data, m.offset); err == nil && json.Unmarshal(data, &entries) == nil {
			for _, ent := range entries {
				for _, n := range append([]string{ent.Config}, ent.Layers...) {
					if clean, err := cleanName(n); err == nil {
						pin(clean, legacyManifestFile)
					}
				}
			}
		}
	}
	return pins
}

// pinned reports why blob d must stay in the archive, or "". The caller
// holds st (write-locked: the pins are computed on first use).
func (e *Engine) pinned(d digest.Digest) string {
	if e.cat.pins == nil {
		e.cat.pins = pinsOf(e.cat, e.r)
	}
	return e.cat.pins[d]
}

// Keeps reports whether DeleteBlob would keep blob d because a member
// outside the layout names it (cas.Keeper).
func (e *Engine) Keeps(ctx context.Context, d digest.Digest) bool {
	e.st.Lock()
	defer e.st.Unlock()
	if _, ok := e.cat.blobs[d]; !ok {
		return false
	}
	return e.pinned(d) != ""
}
