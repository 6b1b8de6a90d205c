package main

import (
	"encoding/json"
	"fmt"
	"io"
)

// statJSON is the --json shape of stat (umoci 0.6): the manifest and config
// with their raw JSON verbatim, and the history matched to layers.
type statJSON struct {
	Manifest statJSONBlob        `json:"manifest"`
	Config   *statJSONBlob       `json:"config,omitempty"`
	History  *[]statHistoryEntry `json:"history,omitempty"`
}

type statJSONBlob struct {
	Descriptor any `json:"descriptor"`
	Blob       any `json:"blob"`
}

// rawBlob returns the blob as raw JSON, or as bytes (base64 in the output)
// when it is not JSON.
func rawBlob(b []byte) any {
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	return b
}

// writeStatJSON prints the JSON stat of s followed by a newline.
func writeStatJSON(w io.Writer, s *statImage) error {
	out := statJSON{
		Manifest: statJSONBlob{Descriptor: s.Manifest.Descriptor, Blob: rawBlob(s.Manifest.Blob)},
	}
	if s.Config != nil {
		out.Config = &statJSONBlob{Descriptor: s.Config.Descriptor, Blob: rawBlob(s.Config.Blob)}
	}
	if s.config != nil {
		h := s.history()
		out.History = &h
	}
	if err := json.NewEncoder(w).Encode(out); err != nil {
		return fmt.Errorf("write stat: %w", err)
	}
	return nil
}
