package main

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// statImage is everything stat shows about one image manifest.
type statImage struct {
	// Manifest is the manifest's descriptor (as found in the walk from
	// index.json) and its raw JSON; manifest is the parsed form.
	Manifest statBlob
	manifest ispec.Manifest
	// Config is nil when the config has a media type lade cannot parse and
	// carries no embedded data; config is nil when the config is not an
	// image config.
	Config *statBlob
	config *ispec.Image
}

// statBlob is a descriptor and the raw JSON it points to.
type statBlob struct {
	Descriptor ispec.Descriptor `json:"descriptor"`
	Blob       []byte           `json:"-"`
}

// statHistoryEntry is one history row matched with its layer.
type statHistoryEntry struct {
	Layer  *ispec.Descriptor `json:"layer"`
	DiffID digest.Digest     `json:"diff_id"`
	ispec.History
}

// history matches the config's history entries with the manifest's layers
// (and the config's diff_ids): every entry that is not an empty layer takes
// the next layer in order. It returns nil when the config is not an image
// config. Entries beyond the last layer get no layer rather than an error.
func (s *statImage) history() []statHistoryEntry {
	if s.config == nil {
		return nil
	}
	out := make([]statHistoryEntry, 0, len(s.config.History))
	layer := 0
	for _, h := range s.config.History {
		e := statHistoryEntry{History: h}
		if !h.EmptyLayer {
			if layer < len(s.manifest.Layers) {
				d := s.manifest.Layers[layer]
				e.Layer = &d
			}
			if layer < len(s.config.RootFS.DiffIDs) {
				e.DiffID = s.config.RootFS.DiffIDs[layer]
			}
			layer++
		}
		out = append(out, e)
	}
	return out
}

// humanSize formats a byte count in decimal units with 4 significant digits
// ("386B", "2.175kB", "1.5MB").
func humanSize(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	size := float64(n)
	i := 0
	for (size >= 1000 || size <= -1000) && i < len(units)-1 {
		size /= 1000
		i++
	}
	return strconv.FormatFloat(size, 'g', 4, 64) + units[i]
}

// quote prints s as is unless strconv.Quote would change it (non-printable
// characters, quotes, backslashes), in which case it is Go-quoted. precise
// fields are also quoted when empty or when they contain whitespace, so
// that their exact value can be read back. This is umoci's rule.
func quote(s string, precise bool) string {
	quoted := strconv.Quote(s)
	if quoted != `"`+s+`"` || precise && (s == "" || strings.ContainsFunc(s, unicode.IsSpace)) {
		return quoted
	}
	return s
}

// listValue quotes one value of a "key: value, value" line: precise, and
// always quoted when it holds a comma, so the list reads back unambiguously.
func listValue(s string) string {
	if strings.Contains(s, ",") {
		return strconv.Quote(s)
	}
	return quote(s, true)
}
