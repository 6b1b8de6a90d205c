package archive

import (
	"fmt"

	"github.com/lade-oci/lade/oci/cas"
)

// openError is an error from Open whose text is exactly
// "open archive: REASON" while still matching a cas sentinel (and the cause)
// with errors.Is.
type openError struct {
	reason string
	kinds  []error
}

func (e *openError) Error() string { return "open archive: " + e.reason }

func (e *openError) Unwrap() []error { return e.kinds }

// archiveErr builds an "open archive: ..." error matching kind and cause.
func archiveErr(kind, cause error, format string, args ...any) error {
	kinds := []error{kind}
	if cause != nil {
		kinds = append(kinds, cause)
	}
	return &openError{reason: fmt.Sprintf(format, args...), kinds: kinds}
}

// readOnlyError is what every write method returns: it names the operation
// and the archive, says how to get a writable layout, and matches
// cas.ErrReadOnly.
type readOnlyError struct {
	op     string
	path   string
	source string // the archive as a skopeo source, e.g. "oci-archive:PATH:TAG"
}

func (e *readOnlyError) Error() string {
	return fmt.Sprintf("%s: archive %s is read-only; copy it to a directory layout first "+
		"(e.g. skopeo copy %s oci:DIR:TAG)", e.op, e.path, e.source)
}

func (e *readOnlyError) Unwrap() error { return cas.ErrReadOnly }
