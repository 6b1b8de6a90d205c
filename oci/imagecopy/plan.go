package imagecopy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/compress"
	"github.com/lade-oci/lade/oci/transport"
)

// op is what a blob task does to the bytes.
type op int

const (
	opKeep       op = iota // copy the blob as it is
	opCompress             // compress an uncompressed layer with to
	opRecompress           // decompress with from, compress with to
	opDecompress           // decompress with from
)

// blobTask moves one blob. Images of an index that share a layer share its
// task, so it moves once.
type blobTask struct {
	src       ispec.Descriptor
	label     string // for progress: "Copying blob", "Copying config"
	op        op
	from, to  compress.Algorithm
	diffID    digest.Digest // the uncompressed digest, checked by opDecompress
	mediaType string        // the media type the destination is given

	needed bool             // some image still missing at the destination uses it
	out    ispec.Descriptor // what was written: digest and size known after run
}

// changes reports whether the task changes the blob's bytes.
func (t *blobTask) changes() bool { return t.op != opKeep }

// layerPlan is one layer of an image to copy.
type layerPlan struct {
	src       ispec.Descriptor
	task      *blobTask
	mediaType string // in the written manifest
}

// imagePlan is one image manifest to copy.
type imagePlan struct {
	doc     *document
	config  ispec.Descriptor // as written (media type converted)
	cfgTask *blobTask
	layers  []layerPlan
	present bool // the destination already has the written manifest

	desc ispec.Descriptor // the written manifest, once built
	raw  []byte
}

// changes reports whether any layer of the image changes its bytes.
func (p *imagePlan) changes() bool {
	for _, l := range p.layers {
		if l.task.changes() {
			return true
		}
	}
	return false
}

// planImage decides what happens to each blob of doc when it is written in
// family f: every refusal (a layer type f cannot hold, a compression lade
// cannot read) happens here, before anything is written.
func (c *copier) planImage(ctx context.Context, doc *document, f family) (*imagePlan, error) {
	m := doc.manifest
	fam := f
	if fam == keepFamily {
		fam = familyOf(doc.desc.MediaType)
	}
	converting := fam != familyOf(doc.desc.MediaType)
	if converting && fam == dockerFamily {
		if err := dockerConvertible(doc); err != nil {
			return nil, err
		}
	}
	p := &imagePlan{doc: doc, config: m.Config}
	if converting {
		p.config.MediaType = configType(fam, m.Config.MediaType)
	}
	p.cfgTask = c.task(m.Config, "Copying config", opKeep, nil, nil, "", p.config.MediaType)
	var diffIDs []digest.Digest
	for i, l := range m.Layers {
		kind, known := layerKindOf(l.MediaType)
		o, from, to, err := c.layerOp(l, kind, known)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.Digest, err)
		}
		mt := l.MediaType
		if o != opKeep || converting {
			if !known {
				if fam == dockerFamily {
					return nil, fmt.Errorf("convert layer %s of type %q to Docker v2s2: %w", l.Digest, l.MediaType, transport.ErrUnsupported)
				}
				mt = mediatype.ToOCI(mt)
			} else {
				if o != opKeep {
					kind.compression = ""
					if to != nil {
						kind.compression = to.MediaTypeSuffix()
					}
				}
				if mt, err = layerType(fam, kind); err != nil {
					return nil, fmt.Errorf("layer %s: %w", l.Digest, err)
				}
			}
		}
		var diffID digest.Digest
		if o == opDecompress {
			if diffIDs == nil {
				if diffIDs, err = c.readDiffIDs(ctx, m); err != nil {
					return nil, err
				}
			}
			diffID = diffIDs[i]
		}
		p.layers = append(p.layers, layerPlan{src: l, mediaType: mt, task: c.task(l, "Copying blob", o, from, to, diffID, mt)})
	}
	if c.opts.PreserveDigests && p.changes() {
		return nil, fmt.Errorf("--preserve-digests: the layer compression asked for would change the layers of %s", doc.desc.Digest)
	}
	return p, nil
}

// layerOp returns what to do with a layer of kind k, following the
// destination's (or the caller's) layer compression as skopeo does: a
// destination that compresses gets uncompressed layers compressed (gzip,
// or Options.Compression) and, only when Options.Compression is set,
// layers compressed otherwise recompressed; one that decompresses gets
// every layer uncompressed. Layers of unknown types are kept.
func (c *copier) layerOp(l ispec.Descriptor, k layerKind, known bool) (o op, from, to compress.Algorithm, err error) {
	if !known {
		return opKeep, nil, nil, nil
	}
	switch c.policy {
	case transport.Compress:
		want := c.opts.Compression
		if want == nil {
			want = compress.Gzip
		}
		switch {
		case k.compression == mediatype.CompressionNone:
			return opCompress, nil, want, nil
		case c.opts.Compression != nil && k.compression != want.MediaTypeSuffix():
			from, err = compress.ByMediaType(l.MediaType)
			return opRecompress, from, want, err
		}
	case transport.Decompress:
		if k.compression != mediatype.CompressionNone {
			from, err = compress.ByMediaType(l.MediaType)
			return opDecompress, from, nil, err
		}
	}
	return opKeep, nil, nil, nil
}

// task returns the task for a blob, shared by every image using it.
func (c *copier) task(src ispec.Descriptor, label string, o op, from, to compress.Algorithm, diffID digest.Digest, mt string) *blobTask {
	key := taskKey{src.Digest, o}
	if t, ok := c.tasks[key]; ok {
		return t
	}
	t := &blobTask{src: src, label: label, op: o, from: from, to: to, diffID: diffID, mediaType: mt}
	c.tasks[key] = t
	c.order = append(c.order, t)
	return t
}

type taskKey struct {
	digest digest.Digest
	op     op
}

// readDiffIDs reads the diff_ids of the image config of m (one per layer),
// which are the digests of its layers once decompressed.
func (c *copier) readDiffIDs(ctx context.Context, m *ispec.Manifest) ([]digest.Digest, error) {
	cfg := m.Config
	if !mediatype.IsConfig(cfg.MediaType) {
		return nil, fmt.Errorf("decompress layers: config %s is a %s, not an image config: %w", cfg.Digest, cfg.MediaType, transport.ErrUnsupported)
	}
	if cfg.Size < 0 || cfg.Size > casext.MaxConfigSize {
		return nil, fmt.Errorf("read config %s: size %d is over the limit of %d bytes", cfg.Digest, cfg.Size, casext.MaxConfigSize)
	}
	var raw []byte
	err := c.retry(ctx, "read config "+cfg.Digest.String(), func() error {
		rc, err := c.src.Fetch(ctx, cfg)
		if err != nil {
			return err
		}
		raw, err = io.ReadAll(io.LimitReader(rc, cfg.Size+1))
		if cerr := rc.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", cfg.Digest, err)
	}
	var img ispec.Image
	if err := json.Unmarshal(raw, &img); err != nil {
		return nil, fmt.Errorf("parse config %s: %w", cfg.Digest, err)
	}
	if len(img.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("config %s lists %d diff_ids for %d layers", cfg.Digest, len(img.RootFS.DiffIDs), len(m.Layers))
	}
	for _, d := range img.RootFS.DiffIDs {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("config %s: diff_id %q: %w", cfg.Digest, string(d), err)
		}
	}
	return img.RootFS.DiffIDs, nil
}
