package hardening

// sentinel is a constant-message error that can wrap a parent sentinel, so
// that ErrSizeMismatch also matches ErrDigestMismatch with errors.Is.
type sentinel struct {
	msg    string
	parent error
}

func (e *sentinel) Error() string { return e.msg }

func (e *sentinel) Unwrap() error { return e.parent }

var (
	// ErrDigestMismatch is returned when content does not hash to the digest
	// (or does not have the size) it was described by. cas.ErrDigestMismatch
	// is this same value. Its text is umoci's, which scripts match.
	ErrDigestMismatch error = &sentinel{msg: "verified reader digest mismatch"}

	// ErrSizeMismatch is returned when content is longer or shorter than the
	// size it was described by. It wraps ErrDigestMismatch, so
	// errors.Is(err, ErrDigestMismatch) holds for it too; cas.ErrSizeMismatch
	// is this same value. Its text is umoci's.
	ErrSizeMismatch error = &sentinel{msg: "verified reader size mismatch", parent: ErrDigestMismatch}
)
