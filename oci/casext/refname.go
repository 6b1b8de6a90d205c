package casext

import (
	"errors"
	"fmt"
	"regexp"
)

// refNameRegexp is the reference-name grammar of the OCI image layout:
//
//	ref       ::= component ("/" component)*
//	component ::= alphanum (separator alphanum)*
//	alphanum  ::= [A-Za-z0-9]+
//	separator ::= [-._:@+] | "--"
//
// so a name never starts or ends with a separator, never has two single
// separators in a row, and is never empty. Full references such as
// "docker.io/library/x:1" are valid.
var refNameRegexp = regexp.MustCompile(`^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$`)

// ErrInvalidRefName is returned (wrapped, with the name) for a tag that does
// not match the reference-name grammar.
var ErrInvalidRefName = errors.New("invalid tag")

// IsValidReferenceName reports whether s matches the OCI reference-name
// grammar (see refNameRegexp).
func IsValidReferenceName(s string) bool {
	return refNameRegexp.MatchString(s)
}

// checkRefName returns an error naming refname when it is invalid.
func checkRefName(refname string) error {
	if !IsValidReferenceName(refname) {
		return fmt.Errorf("%w: %q", ErrInvalidRefName, refname)
	}
	return nil
}
