package compress

import (
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// Level ranges accepted by [WithLevel]. 0 always means the algorithm's
// default.
const (
	GzipMinLevel = 1
	GzipMaxLevel = 9
	ZstdMinLevel = 1
	ZstdMaxLevel = 22
)

// Leveled is an Algorithm whose compression effort can be chosen.
type Leveled interface {
	Algorithm
	// Level is the compression level in use; 0 is the default.
	Level() int
}

// WithLevel returns alg set to compress at level: 1 (fastest) to 9 (best)
// for gzip, 1 to 22 for zstd (mapped onto the encoder's four speeds as
// zstd's own levels are: 1 fastest, 2-5 default, 6-9 better, 10 and up
// best). Level 0 returns alg unchanged. None takes no level. Decompression
// is not affected by the level.
func WithLevel(alg Algorithm, level int) (Algorithm, error) {
	if level == 0 {
		return alg, nil
	}
	switch alg.Name() {
	case Gzip.Name():
		if level < GzipMinLevel || level > GzipMaxLevel {
			return nil, fmt.Errorf("set compression level: gzip level %d out of range %d-%d", level, GzipMinLevel, GzipMaxLevel)
		}
		return gzipAlgorithm{level: level}, nil
	case Zstd.Name():
		if level < ZstdMinLevel || level > ZstdMaxLevel {
			return nil, fmt.Errorf("set compression level: zstd level %d out of range %d-%d", level, ZstdMinLevel, ZstdMaxLevel)
		}
		return zstdAlgorithm{level: zstd.EncoderLevelFromZstd(level), zstdLevel: level}, nil
	default:
		return nil, fmt.Errorf("set compression level: %w: %s takes no level", ErrUnsupported, alg.Name())
	}
}
