package policy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/internal/testimage"
)

// TestCheckAgainstSkopeo replays the local-transport rows of checkCases
// through "skopeo copy --policy" and requires skopeo's verdict to be
// lade's: skopeo is the reference for which scope applies. (skopeo cannot
// verify a signature of a local image either: it refuses those rows too.)
// docker:// rows need a registry and are covered by TestCheck alone.
func TestCheckAgainstSkopeo(t *testing.T) {
	skopeo, err := exec.LookPath("skopeo")
	if err != nil {
		t.Skip("skopeo is not installed")
	}
	ctx := context.Background()
	root := checkTree(t)
	for _, layout := range []string{"layouts/l1", "layouts/l2"} {
		if _, err := testimage.New().AddLayer(testimage.Gzip, "one", testimage.File("f", "x", 0o644)).
			Write(ctx, filepath.Join(root, layout), "v1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(root, "dirs/d1")); err != nil {
		t.Fatal(err)
	}
	skopeoCopy := func(policyFile, src string) error {
		dst := filepath.Join(t.TempDir(), "out")
		out, err := exec.Command(skopeo, "--policy", policyFile, "copy", "-q", src, "dir:"+dst).CombinedOutput()
		if err != nil {
			return &skopeoError{msg: strings.TrimSpace(string(out))}
		}
		return nil
	}
	// dirs/d1 is a dir: image for the dir: rows.
	cmd := exec.Command(skopeo, "--insecure-policy", "copy", "-q", "oci:"+root+"/layouts/l1:v1", "dir:"+root+"/dirs/d1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("skopeo copy: %v: %s", err, out)
	}

	policyFile := filepath.Join(t.TempDir(), "policy.json")
	compared := 0
	for _, tc := range checkCases {
		name := strings.ReplaceAll(tc.name, "$T", root)
		if !strings.HasPrefix(name, "oci:") && !strings.HasPrefix(name, "dir:") {
			continue // no oci-archive or docker-archive image at $T/a.tar
		}
		if strings.Contains(name, "/new:") {
			continue // no image to copy
		}
		writeFile(t, policyFile, strings.ReplaceAll(tc.policy, "$T", root))
		got := ok
		if err := skopeoCopy(policyFile, name); err != nil {
			got = rej
			if !strings.Contains(err.Error(), "Source image rejected") {
				t.Errorf("skopeo copy %s: %v", name, err)
				continue
			}
		}
		want := tc.want
		if want == nosig {
			want = rej
		}
		if got != want {
			t.Errorf("policy %s\nimage %s: skopeo says %s, lade's table %s", tc.policy, name, got, tc.want)
		}
		compared++
	}
	if compared < 15 {
		t.Fatalf("only %d rows compared with skopeo", compared)
	}
}

type skopeoError struct{ msg string }

func (e *skopeoError) Error() string { return e.msg }
