package bundle

import (
	"context"
	"os"

	"github.com/lade-oci/lade/internal/atomicfile"
)

// writeFileAtomic replaces path with data so that readers see either the
// old file or the complete new one (see internal/atomicfile).
func writeFileAtomic(ctx context.Context, path string, data []byte, mode os.FileMode) error {
	return atomicfile.WriteBytes(ctx, path, mode, data)
}
