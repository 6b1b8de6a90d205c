package main

import "testing"

func TestVariantFor(t *testing.T) {
	for _, tc := range []struct{ goarch, goarm, want string }{
		{"amd64", "", ""},
		{"arm64", "", "v8"},
		{"arm", "", "v7"},
		{"arm", "6", "v6"},
		{"arm", "5,softfloat", "v5"},
		{"riscv64", "", ""},
	} {
		if got := variantFor(tc.goarch, tc.goarm); got != tc.want {
			t.Errorf("variantFor(%q, %q) = %q, want %q", tc.goarch, tc.goarm, got, tc.want)
		}
	}
}
