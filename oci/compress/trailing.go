package compress

import (
	"fmt"
	"io"
	"log/slog"
)

// drainTrailing reads r to its end once a compressed stream has ended, so
// that readers underneath (digest verification) see every byte. Junk found
// there is not an error, only a warning, as with umoci; a read error is.
func drainTrailing(r io.Reader, alg string) error {
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return fmt.Errorf("drain data after %s stream: %w", alg, err)
	}
	if n > 0 {
		slog.Default().Warn("ignoring trailing data after compressed stream", "algorithm", alg, "bytes", n)
	}
	return nil
}
