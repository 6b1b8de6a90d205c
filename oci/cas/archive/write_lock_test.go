package archive

import (
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/lade-oci/lade/internal/interrupt"
)

// TestWriterArmsInterrupts: reading an archive leaves a quick command
// without a signal handler; the first write (which makes Close rewrite the
// archive) installs it (interrupt.Arm).
func TestWriterArmsInterrupts(t *testing.T) {
	e := mustOpen(t, writeTar(t, file("oci-layout", okLayout), file("index.json", okIndex)))
	ctx, stop := interrupt.Context(t.Context())
	defer stop()
	if _, err := e.GetIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if interrupt.Armed(ctx) {
		t.Fatal("reading the archive armed the handler")
	}
	if err := e.PutIndex(ctx, ispec.Index{}); err != nil {
		t.Fatal(err)
	}
	if !interrupt.Armed(ctx) {
		t.Fatal("writing the archive did not arm the handler")
	}
}
