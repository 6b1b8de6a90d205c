package archive

// readOnly is the error of every write method on an archive that cannot be
// written (a legacy archive, or one read from memory), after the closed
// check, so that a closed engine reports being closed.
func (e *Engine) readOnly(op string) error {
	if err := e.checkOpen(op); err != nil {
		return err
	}
	source := "oci-archive:" + e.path + ":TAG"
	if e.legacy {
		source = "docker-archive:" + e.path + ":NAME:TAG"
	}
	return &readOnlyError{op: op, path: e.path, source: source}
}
