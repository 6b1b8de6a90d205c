package dockerarchive

import (
	"encoding/json"
	"fmt"

	"github.com/opencontainers/go-digest"
)

// legacyLayer is the "<id>/" directory of one layer in the legacy format.
type legacyLayer struct {
	id     string // hex
	json   []byte // <id>/json
	diffID digest.Digest
}

// topConfigFields are the image config fields copied into the top layer's
// legacy config (absent ones as null).
var topConfigFields = []string{"architecture", "config", "container", "container_config", "created", "docker_version", "os"}

// legacyLayers computes the legacy layer directories of an image with
// layers diffIDs (bottom first) and image config config. Each layer's
// config holds "parent" (the layer below's id, except for the first), the
// top one also topConfigFields; its id is the sha256 of that config with
// "layer_id" set to the layer's chain id, and its json is the config with
// "id" set instead. Keys are sorted, as encoding/json writes maps.
func legacyLayers(diffIDs []digest.Digest, config []byte) ([]legacyLayer, error) {
	var fields map[string]*json.RawMessage
	if len(diffIDs) > 0 {
		if err := json.Unmarshal(config, &fields); err != nil {
			return nil, fmt.Errorf("parse image config: %w", err)
		}
	}
	out := make([]legacyLayer, 0, len(diffIDs))
	var chain digest.Digest
	parent := ""
	for i, diffID := range diffIDs {
		if i == 0 {
			chain = diffID
		} else {
			chain = digest.FromString(chain.String() + " " + diffID.String())
		}
		cfg := map[string]any{}
		if parent != "" {
			cfg["parent"] = parent
		}
		if i == len(diffIDs)-1 {
			for _, f := range topConfigFields {
				cfg[f] = fields[f]
			}
		}
		cfg["layer_id"] = chain
		forID, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("encode legacy layer config: %w", err)
		}
		delete(cfg, "layer_id")
		id := digest.FromBytes(forID).Encoded()
		cfg["id"] = id
		data, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("encode legacy layer config: %w", err)
		}
		out = append(out, legacyLayer{id: id, json: data, diffID: diffID})
		parent = id
	}
	return out, nil
}
