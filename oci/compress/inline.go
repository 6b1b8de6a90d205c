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

// memoryDecoder is implemented by algorithms whose inline decoder reads a
// *bytes.Reader faster than a stream.
type memoryDecoder interface {
	decodesFasterFromMemory() bool
}

// DecodesFasterFromMemory reports whether DecompressInline of alg reads an
// input given as a *bytes.Reader (a blob in memory, or a file mapped)
// faster than the same input as a stream, so that a caller holding a file
// gains from mapping it: true for gzip (klauspost's inflate has a loop
// for it whose per-byte read is inlined, ~20% less CPU), false for zstd
// (its decoder reads an io.Reader either way) and none.
func DecodesFasterFromMemory(alg Algorithm) bool {
	a, ok := alg.(memoryDecoder)
	return ok && a.decodesFasterFromMemory()
}
