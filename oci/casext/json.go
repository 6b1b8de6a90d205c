package casext

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/opencontainers/go-digest"
)

// PutBlobJSON stores v encoded the way umoci writes every JSON blob: the
// output of an encoding/json Encoder (compact, HTML-escaped, one trailing
// newline). It returns the digest and size of the stored blob.
func (e Engine) PutBlobJSON(ctx context.Context, v any) (digest.Digest, int64, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return "", -1, fmt.Errorf("encode json blob: %w", err)
	}
	d, size, err := e.PutBlob(ctx, &buf)
	if err != nil {
		return "", -1, fmt.Errorf("put json blob: %w", err)
	}
	return d, size, nil
}
