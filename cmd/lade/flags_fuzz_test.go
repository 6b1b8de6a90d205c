package main

import (
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/casext"
)

// FuzzParseImageRef feeds arbitrary --image values to parseImageRef: it
// must never panic; what it accepts has a non-empty, colon-free layout and
// a valid tag, is the input split at its first ':' (or the input with tag
// "latest"), and parses back to itself from "LAYOUT:TAG". An accepted
// layout is also a valid --layout value.
func FuzzParseImageRef(f *testing.F) {
	for _, s := range []string{"img", "img:latest", "img:a:b", "img:", ":tag", ":", "", "/abs/path:v1.0", "a:b/c",
		"a:-x", "a:x..y", "a:x--y", "a:UP", "a:é", "dir/with space:t", "a::b", "a:b:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := parseImageRef(s)
		if err != nil {
			return
		}
		if ref.Layout == "" || strings.Contains(ref.Layout, ":") || !casext.IsValidReferenceName(ref.Tag) {
			t.Fatalf("parseImageRef(%q) = %+v: invalid result", s, ref)
		}
		if strings.Contains(s, ":") {
			if ref.Layout+":"+ref.Tag != s {
				t.Fatalf("parseImageRef(%q) = %+v: not a split of the input", s, ref)
			}
		} else if ref.Layout != s || ref.Tag != defaultTag {
			t.Fatalf("parseImageRef(%q) = %+v: want layout %q tag %q", s, ref, s, defaultTag)
		}
		if again, err := parseImageRef(ref.Layout + ":" + ref.Tag); err != nil || again != ref {
			t.Fatalf("parseImageRef(%q) = %+v, %v; want %+v", ref.Layout+":"+ref.Tag, again, err, ref)
		}
		if l, err := parseLayout(ref.Layout); err != nil || l != ref.Layout {
			t.Fatalf("parseLayout(%q) = %q, %v", ref.Layout, l, err)
		}
	})
}
