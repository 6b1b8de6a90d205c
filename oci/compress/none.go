package compress

import "io"

type noneAlgorithm struct{}

func (noneAlgorithm) Name() string            { return "none" }
func (noneAlgorithm) MediaTypeSuffix() string { return "" }

func (noneAlgorithm) Compress(w io.Writer) (io.WriteCloser, error) {
	return nopWriteCloser{w}, nil
}

func (noneAlgorithm) Decompress(r io.Reader) (io.ReadCloser, error) {
	return io.NopCloser(r), nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
