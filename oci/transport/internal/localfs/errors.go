package localfs

// WithKind returns err, unchanged in text, that also matches kind with
// errors.Is (transport.ErrNotFound, transport.ErrUnsupported, ...). A nil
// err stays nil.
func WithKind(err, kind error) error {
	if err == nil {
		return nil
	}
	return kindError{err: err, kind: kind}
}

type kindError struct{ err, kind error }

func (e kindError) Error() string   { return e.err.Error() }
func (e kindError) Unwrap() []error { return []error{e.err, e.kind} }
