package casext

import "testing"

func TestIsValidReferenceName(t *testing.T) {
	valid := []string{
		"latest", "a", "A9", "v1.0", "1.2.3-rc1", "a_b", "a:b", "a@b", "a+b", "a--b",
		"docker.io/library/x:1", "a/b/c", "sha256:abc", "x-y.z_w:v@u+t",
	}
	invalid := []string{
		"", "-a", "a-", ".a", "a.", "a..b", "a-.b", "a---b", "a/", "/a", "a//b",
		"a b", "a\nb", "a\x00", "é", "a/-b", "a!", "a*b", ":", "--", "a/.b",
	}
	for _, s := range valid {
		if !IsValidReferenceName(s) {
			t.Errorf("IsValidReferenceName(%q) = false, want true", s)
		}
	}
	for _, s := range invalid {
		if IsValidReferenceName(s) {
			t.Errorf("IsValidReferenceName(%q) = true, want false", s)
		}
	}
}

func FuzzIsValidReferenceName(f *testing.F) {
	for _, s := range []string{"latest", "a--b", "a/b", "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !IsValidReferenceName(s) {
			return
		}
		// Valid names never start or end with a separator and hold only
		// the allowed alphabet.
		for _, r := range s {
			alnum := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
			if !alnum && !containsRune("-._:@+/", r) {
				t.Fatalf("%q accepted with %q", s, r)
			}
		}
		first, last := s[0], s[len(s)-1]
		if containsRune("-._:@+/", rune(first)) || containsRune("-._:@+/", rune(last)) {
			t.Fatalf("%q accepted with separator at an end", s)
		}
	})
}

func containsRune(set string, r rune) bool {
	for _, c := range set {
		if c == r {
			return true
		}
	}
	return false
}
