package bundle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// WriteRuntimeConfig writes spec to path as tab-indented JSON, exactly as
// umoci does. The write is atomic: a failure never leaves an empty or
// partial config.json behind (umoci-behaviour.md §7 item 4).
func WriteRuntimeConfig(ctx context.Context, path string, spec *rspec.Spec) error {
	if spec == nil {
		return fmt.Errorf("write runtime config: nil spec")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "\t")
	if err := enc.Encode(spec); err != nil {
		return fmt.Errorf("encode runtime config: %w", err)
	}
	if err := writeFileAtomic(ctx, path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write runtime config: %w", err)
	}
	return nil
}
