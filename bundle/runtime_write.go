package bundle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/lade-oci/lade/internal/atomicfile"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// WriteRuntimeConfig writes spec to path as tab-indented JSON, exactly as
// umoci does. The write is atomic: a failure never leaves an empty or
// partial config.json behind (umoci-behaviour.md §7 item 4). A symlink or
// special file at path (/dev/stdout, a pipe) is written through instead
// (see atomicfile.WriteOutput); a directory is refused.
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
	err := atomicfile.WriteOutput(ctx, path, 0o644, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return fmt.Errorf("write runtime config: %w", err)
	}
	return nil
}
