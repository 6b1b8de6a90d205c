package dir

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

func TestBlobPath(t *testing.T) {
	good := digest.SHA256.FromString("hello")
	p, err := blobPath("/layout", good)
	if err != nil || p != filepath.Join("/layout/blobs/sha256", good.Encoded()) {
		t.Fatalf("blobPath(%s) = %q, %v", good, p, err)
	}
	bad := []digest.Digest{
		"",
		"sha256:",
		":" + digest.Digest(good.Encoded()),
		"sha256:../../x",
		"sha256:../../../../../../../../../../../../../../../../../etc/passwd",
		"sha256:" + digest.Digest(strings.ToUpper(good.Encoded())),
		digest.SHA512.FromString("hello"),
		"sha256:" + digest.Digest(good.Encoded()[:63]) + "/",
		"sha256:" + digest.Digest(good.Encoded()[:63]) + "\x00",
		"SHA256:" + digest.Digest(good.Encoded()),
		" " + good,
	}
	for _, d := range bad {
		p, err := blobPath("/layout", d)
		if !errors.Is(err, cas.ErrInvalid) || p != "" {
			t.Errorf("blobPath(%q) = %q, %v; want ErrInvalid", d, p, err)
		}
	}
}
