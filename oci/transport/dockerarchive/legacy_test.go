package dockerarchive

import (
	"testing"

	"github.com/opencontainers/go-digest"
)

// TestLegacyLayers checks the ids and json skopeo 1.9.3 wrote for the
// small test image (skopeo copy oci:small:latest docker-archive:x.tar).
func TestLegacyLayers(t *testing.T) {
	config := []byte(`{"created":"2024-01-01T00:00:00Z","architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin","SMALL=1"],"Cmd":["/usr/bin/hello"],"WorkingDir":"/opt/app","Labels":{"org.example.kind":"small"}},"rootfs":{"type":"layers","diff_ids":[]},"history":[]}`)
	diffIDs := []digest.Digest{
		"sha256:180692b374324478eba0e9307fcb7869ea818f36ba6ad5bf54e4b76422422000",
		"sha256:67167640652f1dcb186fe7e65c30c84c5a3e677c771d9a55584f8d2a1cdaa447",
		"sha256:e18b8f53d4d42c8a13581fe3d6af1907c0f645a76ef5084624d822dbd04b2aee",
	}
	got, err := legacyLayers(diffIDs, config)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, json string }{
		{"ff447c1ad609ac8862f5fb035797e44e15942757096e8213e819c1a1092d2bdb", `{"id":"ff447c1ad609ac8862f5fb035797e44e15942757096e8213e819c1a1092d2bdb"}`},
		{"4d2b13f5ef1d479645c1fb321ab7a8c84ed413eb4ca30785121a88b179052ef7", `{"id":"4d2b13f5ef1d479645c1fb321ab7a8c84ed413eb4ca30785121a88b179052ef7","parent":"ff447c1ad609ac8862f5fb035797e44e15942757096e8213e819c1a1092d2bdb"}`},
		{"f78c840b290a638b1539210bbe7b207045a49ae69e3a21649583ccbaea40ca38", `{"architecture":"amd64","config":{"Env":["PATH=/usr/bin:/bin","SMALL=1"],"Cmd":["/usr/bin/hello"],"WorkingDir":"/opt/app","Labels":{"org.example.kind":"small"}},"container":null,"container_config":null,"created":"2024-01-01T00:00:00Z","docker_version":null,"id":"f78c840b290a638b1539210bbe7b207045a49ae69e3a21649583ccbaea40ca38","os":"linux","parent":"4d2b13f5ef1d479645c1fb321ab7a8c84ed413eb4ca30785121a88b179052ef7"}`},
	}
	for i, w := range want {
		if got[i].id != w.id || string(got[i].json) != w.json {
			t.Errorf("layer %d: id %s json %s\nwant id %s json %s", i, got[i].id, got[i].json, w.id, w.json)
		}
	}
	if none, err := legacyLayers(nil, []byte("not json")); err != nil || len(none) != 0 {
		t.Fatalf("no layers: %v %v", none, err)
	}
}
