package main

import (
	"bytes"
	"compress/gzip"
)

// blobTransforms store the layers of some tags compressed and damaged
// (the diff_ids stay those of the intact tars): tag -> transform of one
// layer's tar into its blob and media type.
var blobTransforms = map[string]func([]byte) ([]byte, string, error){
	// A gzip member whose 8-byte trailer (CRC32, ISIZE) is missing, or cut
	// in the middle: the deflate data is complete, so the tar is too.
	"bad-gzip-no-trailer":      gzipCut(8),
	"bad-gzip-partial-trailer": gzipCut(3),
}

// gzipCut gzips the tar and drops the last n bytes.
func gzipCut(n int) func([]byte) ([]byte, string, error) {
	return func(tarData []byte) ([]byte, string, error) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(tarData); err != nil {
			return nil, "", err
		}
		if err := zw.Close(); err != nil {
			return nil, "", err
		}
		return buf.Bytes()[:buf.Len()-n], "application/vnd.oci.image.layer.v1.tar+gzip", nil
	}
}
