package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// legacyManifestFile is the image list of a legacy docker save archive.
const legacyManifestFile = "manifest.json"

// maxLegacyManifestSize caps manifest.json, like index.json.
const maxLegacyManifestSize = cas.MaxIndexSize

// legacyEntry is one image of manifest.json. LayerSources (foreign layer
// descriptors) is not modeled: the layer content is in the archive and is
// served like any other layer.
type legacyEntry struct {
	Config   string    `json:"Config"`
	RepoTags []string  `json:"RepoTags"`
	Layers   *[]string `json:"Layers"` // a pointer, to tell a missing list from an empty one
}

// isLegacy reports whether cat is a legacy docker save archive: no
// oci-layout, but a top-level manifest.json.
func isLegacy(cat *catalog) bool {
	if cat.layout != nil {
		return false
	}
	_, ok := cat.members[legacyManifestFile]
	return ok || cat.dups[legacyManifestFile]
}

// openLegacy reads manifest.json, hashes every member it names (once each)
// and replaces the catalog's blobs with those members plus one synthesized
// Docker v2s2 manifest per image, and the index with one entry per tag.
func (e *Engine) openLegacy(ctx context.Context) error {
	e.legacy = true
	l := &legacyReader{e: e, ctx: ctx, hashed: map[span]hashedMember{}, blobs: map[digest.Digest]member{}}
	idx, err := l.read()
	if err != nil {
		kind := cas.ErrInvalid
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			kind = ctxErr
		}
		return archiveErr(kind, err, "%s: %v", e.path, err)
	}
	data, err := json.Marshal(idx)
	if err != nil {
		return archiveErr(cas.ErrInvalid, err, "%s: encode index: %v", e.path, err)
	}
	e.cat.blobs = l.blobs
	e.index = data
	return nil
}

// legacyReader turns the members of a legacy archive into blobs.
type legacyReader struct {
	e      *Engine
	ctx    context.Context
	hashed map[span]hashedMember    // content already hashed, by where it lives
	blobs  map[digest.Digest]member // the blobs the engine will serve
}

// read parses manifest.json and builds the index of its images.
func (l *legacyReader) read() (ispec.Index, error) {
	entries, err := l.entries()
	if err != nil {
		return ispec.Index{}, err
	}
	idx := ispec.Index{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ispec.MediaTypeImageIndex,
		Manifests: []ispec.Descriptor{},
	}
	tagged := map[string]digest.Digest{}
	for i, ent := range entries {
		desc, err := l.image(ent)
		if err != nil {
			return ispec.Index{}, fmt.Errorf("%s entry %d: %w", legacyManifestFile, i+1, err)
		}
		names := ent.RepoTags
		if len(names) == 0 {
			// An untagged image (docker save IMAGE-ID) is named after its config.
			names = []string{desc.config.Encoded()}
		}
		for _, name := range names {
			if name == "" {
				return ispec.Index{}, fmt.Errorf("%s entry %d: empty RepoTag", legacyManifestFile, i+1)
			}
			if prev, ok := tagged[name]; ok {
				if prev == desc.manifest.Digest {
					continue // the same image listed twice: one entry
				}
				return ispec.Index{}, fmt.Errorf("%s entry %d: tag %q names two different images", legacyManifestFile, i+1, name)
			}
			tagged[name] = desc.manifest.Digest
			d := desc.manifest
			d.Annotations = map[string]string{ispec.AnnotationRefName: name}
			idx.Manifests = append(idx.Manifests, d)
		}
	}
	return idx, nil
}

// entries reads and parses manifest.json.
func (l *legacyReader) entries() ([]legacyEntry, error) {
	m, err := l.resolve(legacyManifestFile)
	if err != nil {
		return nil, err
	}
	data, err := l.e.readMember(&m, maxLegacyManifestSize)
	if err != nil {
		return nil, err
	}
	var entries []legacyEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("%s: invalid JSON: %w", legacyManifestFile, err)
	}
	for i, ent := range entries {
		switch {
		case ent.Config == "":
			return nil, fmt.Errorf("%s entry %d: no Config", legacyManifestFile, i+1)
		case ent.Layers == nil:
			return nil, fmt.Errorf("%s entry %d: no Layers", legacyManifestFile, i+1)
		}
	}
	return entries, nil
}

// legacyImage is what image synthesizes for one manifest.json entry.
type legacyImage struct {
	manifest ispec.Descriptor // of the synthesized manifest, without annotations
	config   digest.Digest
}

// manifestMediaType is the media type of every synthesized manifest.
const manifestMediaType = mediatype.DockerManifest
