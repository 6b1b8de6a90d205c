package casext

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestPutBlobJSONMatchesUmoci re-encodes blobs of the umoci reference layout
// and expects the very same bytes (hence digests).
func TestPutBlobJSONMatchesUmoci(t *testing.T) {
	dir := "../../../shared/spec/examples/umoci-layout/blobs/sha256"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("reference layout not available: %v", err)
	}
	tests := []struct {
		name string
		hex  string
		v    any
	}{
		{"config with history", "eb46560884de1037bbb1082ea3c5b4d1ac653a2fa2b798422b0880f56cd588ad", &ispec.Image{}},
		{"empty config", "31874c9f48cb301a5abda778269041bbd98c692a987f80b52670c605eecfb55d", &ispec.Image{}},
		{"manifest with annotations", "11c070471c76abcf2b817d33c601646c9ab85157582e3f76c82f7e817b2b5543", &ispec.Manifest{}},
		{"manifest without layers", "2212c76866e6efd523a244d9f298a8c051c4c0925af9b1eb1b660091b1c6ce7d", &ispec.Manifest{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, tc.hex))
			if err != nil {
				t.Fatalf("read reference blob: %v", err)
			}
			if err := json.Unmarshal(raw, tc.v); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			e := newTestEngine(t)
			d, size, err := e.PutBlobJSON(t.Context(), tc.v)
			if err != nil {
				t.Fatalf("PutBlobJSON: %v", err)
			}
			want := digest.NewDigestFromEncoded(digest.SHA256, tc.hex)
			if d != want || size != int64(len(raw)) {
				t.Errorf("got %s (%d bytes), want %s (%d bytes)", d, size, want, len(raw))
			}
		})
	}
}

func TestPutBlobJSONErrors(t *testing.T) {
	e := newTestEngine(t)
	if _, _, err := e.PutBlobJSON(t.Context(), make(chan int)); err == nil {
		t.Errorf("encoding a channel should fail")
	}
}
