package casext

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParsePlatform feeds arbitrary --platform values to ParsePlatform: it
// must never panic; what it accepts has non-empty, space- and slash-free
// parts, prints back with FormatPlatform to the same text, and matches
// itself.
func FuzzParsePlatform(f *testing.F) {
	for _, s := range []string{"linux/amd64", "linux/arm64/v8", "linux/arm/v7", "windows/amd64", "linux", "linux/", "/amd64",
		"linux/amd64/", "linux/amd64/v1/x", "linux/ amd64", "linux/amd64\n", "linux//amd64", "", "/", "//", "linux/\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePlatform(s)
		if err != nil {
			return
		}
		parts := []string{p.OS, p.Architecture}
		if p.Variant != "" || strings.Count(s, "/") == 2 {
			parts = append(parts, p.Variant)
		}
		for _, part := range parts {
			if part == "" || strings.Contains(part, "/") || strings.ContainsFunc(part, unicode.IsSpace) {
				t.Fatalf("ParsePlatform(%q) = %+v: bad part %q", s, p, part)
			}
		}
		if got := FormatPlatform(&p); got != s {
			t.Fatalf("FormatPlatform(ParsePlatform(%q)) = %q", s, got)
		}
		if !MatchPlatform(p, &p) {
			t.Fatalf("ParsePlatform(%q) = %+v does not match itself", s, p)
		}
	})
}
