package inspect

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/opencontainers/go-digest"
)

// Output is skopeo's inspect output: the fields, their order, their Go
// types (which --format templates see) and their JSON encoding (null for a
// missing Created, Labels or Env; [] for no RepoTags or Layers; Name and
// Tag left out when empty) are skopeo 1.9.3's, plus LayersData, which
// later skopeo releases print after Layers (1.9.3 does not).
type Output struct {
	// Name is the repository ("docker.io/library/busybox") of a docker://
	// image or of a docker-archive: image named NAME:TAG.
	Name string `json:",omitempty"`
	// Tag is only ever set by skopeo for Docker schema 1 images, which lade
	// does not read; it is here so templates using it behave as skopeo's.
	Tag string `json:",omitempty"`
	// Digest is the sha256 digest of the top manifest or index as fetched.
	Digest digest.Digest
	// RepoTags are the tags of a docker:// repository, [] elsewhere (and
	// with Options.NoTags), null when the registry refused to list them.
	RepoTags      []string
	Created       *time.Time
	DockerVersion string
	Labels        map[string]string
	Architecture  string
	Os            string
	// Layers are the digests of the image manifest's layers, as stored.
	Layers []string
	// LayersData describes the same layers: media type, digest, size and
	// annotations of each manifest entry.
	LayersData []LayerData
	Env        []string
}

// LayerData is one entry of Output.LayersData, as skopeo names its fields.
type LayerData struct {
	MIMEType    string
	Digest      digest.Digest
	Size        int64
	Annotations map[string]string
}

// WriteJSON writes v as skopeo prints it: json.MarshalIndent with four
// spaces (HTML characters escaped), then a newline.
func WriteJSON(w io.Writer, v any) error {
	out, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	if _, err := w.Write(append(out, '\n')); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
