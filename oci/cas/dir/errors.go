package dir

import (
	"errors"
	"fmt"
)

// openError is an error from Open or Create whose text is exactly
// "VERB layout: REASON" while still matching a cas sentinel (and the cause)
// with errors.Is.
type openError struct {
	verb   string
	reason string
	kinds  []error
}

func (e *openError) Error() string { return e.verb + " layout: " + e.reason }

func (e *openError) Unwrap() []error { return e.kinds }

// layoutErr builds an "open layout: ..." error matching kind and cause.
func layoutErr(kind, cause error, format string, args ...any) error {
	kinds := []error{kind}
	if cause != nil {
		kinds = append(kinds, cause)
	}
	return &openError{verb: "open", reason: fmt.Sprintf(format, args...), kinds: kinds}
}

// errorsIsAny reports whether err matches any of targets.
func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
