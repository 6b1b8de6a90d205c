package compress

import "io"

// inlineDecompressor is implemented by algorithms whose Decompress reads
// ahead in a goroutine of its own and that can also decompress in the
// caller's goroutine.
type inlineDecompressor interface {
	decompressInline(r io.Reader) (io.ReadCloser, error)
}

// DecompressInline is alg.Decompress without the decompressor's own
// read-ahead goroutine and buffers: it decompresses in the goroutine that
// reads, straight into the caller's buffer. It is for callers that already
// run decompression in a goroutine of their own (unpack's prefetcher),
// where a second read-ahead only costs a copy, a goroutine switch per
// block and memory. The stream is read exactly as Decompress reads it
// (members, frames and trailing data alike).
func DecompressInline(alg Algorithm, r io.Reader) (io.ReadCloser, error) {
	if a, ok := alg.(inlineDecompressor); ok {
		return a.decompressInline(r)
	}
	return alg.Decompress(r)
}
