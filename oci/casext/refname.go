package casext

import (
	"errors"
	"fmt"
	"strings"
)

// The reference-name grammar of the OCI image layout:
//
//	ref       ::= component ("/" component)*
//	component ::= alphanum (separator alphanum)*
//	alphanum  ::= [A-Za-z0-9]+
//	separator ::= [-._:@+] | "--"
//
// so a name never starts or ends with a separator, never has two single
// separators in a row, and is never empty. Full references such as
// "docker.io/library/x:1" are valid. It is the regular expression
//
//	^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$
//
// matched by hand: compiling it cost every lade command start-up time
// (TestRefNameMatchesRegexp holds the two together).

// ErrInvalidRefName is returned (wrapped, with the name) for a tag that does
// not match the reference-name grammar.
var ErrInvalidRefName = errors.New("invalid tag")

// IsValidReferenceName reports whether s matches the OCI reference-name
// grammar.
func IsValidReferenceName(s string) bool {
	for {
		comp, rest, more := strings.Cut(s, "/")
		if !validRefComponent(comp) {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}

// validRefComponent matches alphanum (separator alphanum)*. Taking "--"
// as one separator whenever it is there is never wrong: after a single
// "-" separator a "-" could not follow.
func validRefComponent(c string) bool {
	i := 0
	for {
		start := i
		for i < len(c) && isAlnum(c[i]) {
			i++
		}
		switch {
		case i == start:
			return false
		case i == len(c):
			return true
		case strings.HasPrefix(c[i:], "--"):
			i += 2
		case strings.IndexByte("-._:@+", c[i]) >= 0:
			i++
		default:
			return false
		}
	}
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// checkRefName returns an error naming refname when it is invalid.
func checkRefName(refname string) error {
	if !IsValidReferenceName(refname) {
		return fmt.Errorf("%w: %q", ErrInvalidRefName, refname)
	}
	return nil
}
