package casext

import (
	"encoding/json"
	"os"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestDescriptorPathJSON checks the umoci.json shape against the reference
// umoci.json written by umoci.
func TestDescriptorPathJSON(t *testing.T) {
	ref, err := os.ReadFile("../../../shared/spec/examples/demo.bundle.umoci.json")
	if err != nil {
		t.Skipf("reference umoci.json not available: %v", err)
	}
	var meta struct {
		From json.RawMessage `json:"from_descriptor_path"`
	}
	if err := json.Unmarshal(ref, &meta); err != nil {
		t.Fatalf("parse reference: %v", err)
	}
	var p DescriptorPath
	if err := json.Unmarshal(meta.From, &p); err != nil {
		t.Fatalf("unmarshal path: %v", err)
	}
	if len(p.Walk) != 1 || p.Root().Annotations[RefNameAnnotation] != "demo" {
		t.Fatalf("unexpected path %+v", p)
	}
	got, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if string(got) != string(meta.From) {
		t.Errorf("marshal mismatch:\n got %s\nwant %s", got, meta.From)
	}
}

func TestDescriptorPathAccessors(t *testing.T) {
	var empty DescriptorPath
	if empty.Root().Digest != "" || empty.Descriptor().Digest != "" {
		t.Errorf("empty path accessors should return zero descriptors")
	}
	a := ispec.Descriptor{MediaType: "a", Digest: "sha256:a"}
	b := ispec.Descriptor{MediaType: "b", Digest: "sha256:b"}
	p := DescriptorPath{Walk: []ispec.Descriptor{a, b}}
	if p.Root().MediaType != "a" || p.Descriptor().MediaType != "b" {
		t.Errorf("Root/Descriptor = %q/%q, want a/b", p.Root().MediaType, p.Descriptor().MediaType)
	}
	c := p.Clone()
	c.Walk[0].MediaType = "changed"
	if p.Walk[0].MediaType != "a" {
		t.Errorf("Clone shares its slice with the original")
	}
}

// TestDescriptorPathChildNoAlias builds siblings from a parent whose slice
// has spare capacity: appending in place would make them alias.
func TestDescriptorPathChildNoAlias(t *testing.T) {
	parent := DescriptorPath{Walk: make([]ispec.Descriptor, 3, 8)}
	x := parent.child(ispec.Descriptor{MediaType: "x"})
	y := parent.child(ispec.Descriptor{MediaType: "y"})
	if x.Descriptor().MediaType != "x" || y.Descriptor().MediaType != "y" {
		t.Errorf("siblings alias: x ends at %q, y ends at %q", x.Descriptor().MediaType, y.Descriptor().MediaType)
	}
	if len(parent.Walk) != 3 {
		t.Errorf("parent modified")
	}
}
