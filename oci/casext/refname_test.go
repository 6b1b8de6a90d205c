package casext

import (
	"regexp"
	"testing"
)

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

// refNameRegexp is the grammar IsValidReferenceName matches by hand.
var refNameRegexp = regexp.MustCompile(`^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$`)

// TestRefNameMatchesRegexp compares IsValidReferenceName with the regular
// expression on every string of up to five characters over an alphabet of
// each character class the grammar cares about.
func TestRefNameMatchesRegexp(t *testing.T) {
	const alphabet = "aZ0-._:@+/!é"
	var walk func(prefix []byte, left int)
	checked := 0
	walk = func(prefix []byte, left int) {
		s := string(prefix)
		checked++
		if got, want := IsValidReferenceName(s), refNameRegexp.MatchString(s); got != want {
			t.Fatalf("IsValidReferenceName(%q) = %v, regexp says %v", s, got, want)
		}
		if left == 0 {
			return
		}
		for _, r := range alphabet {
			walk(append(prefix, string(r)...), left-1)
		}
	}
	walk(nil, 5)
	for _, s := range []string{"docker.io/library/x:1", "a--b", "a---b", "a/b--c.d@e+f_g", "a//b", "-a", "a-", "x/", "/x"} {
		if got, want := IsValidReferenceName(s), refNameRegexp.MatchString(s); got != want {
			t.Fatalf("IsValidReferenceName(%q) = %v, regexp says %v", s, got, want)
		}
	}
	t.Logf("%d strings", checked)
}
