package rootlesscontainers

import (
	"errors"
	"fmt"
	"math"
)

// Xattr is the name of the extended attribute holding an encoded Resource.
const Xattr = "user.rootlesscontainers"

// NoopID marks an id as unchanged: the owner on disk is the real one.
const NoopID uint32 = math.MaxUint32

// Resource is the owner recorded for a file.
type Resource struct {
	UID, GID uint32
}

const (
	fieldUID    = 1
	fieldGID    = 2
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// Encode returns the protobuf wire form of r. Like proto3, zero-valued fields
// are omitted, so Resource{} encodes to an empty slice.
func Encode(r Resource) []byte {
	var b []byte
	if r.UID != 0 {
		b = append(b, fieldUID<<3|wireVarint)
		b = appendVarint(b, uint64(r.UID))
	}
	if r.GID != 0 {
		b = append(b, fieldGID<<3|wireVarint)
		b = appendVarint(b, uint64(r.GID))
	}
	return b
}

// Decode parses the protobuf wire form of a Resource. Missing fields are 0,
// unknown fields are skipped (as protobuf does), and malformed input or an
// id that does not fit in 32 bits is an error.
func Decode(b []byte) (Resource, error) {
	var r Resource
	for len(b) > 0 {
		key, n, err := readVarint(b)
		if err != nil {
			return Resource{}, fmt.Errorf("decode rootlesscontainers key: %w", err)
		}
		b = b[n:]
		field, wire := key>>3, key&7
		if field == 0 {
			return Resource{}, errors.New("decode rootlesscontainers: field number 0")
		}
		switch wire {
		case wireVarint:
			v, n, err := readVarint(b)
			if err != nil {
				return Resource{}, fmt.Errorf("decode rootlesscontainers field %d: %w", field, err)
			}
			b = b[n:]
			if field == fieldUID || field == fieldGID {
				if v > math.MaxUint32 {
					return Resource{}, fmt.Errorf("decode rootlesscontainers field %d: value %d overflows uint32", field, v)
				}
				if field == fieldUID {
					r.UID = uint32(v)
				} else {
					r.GID = uint32(v)
				}
			}
		case wireFixed64, wireFixed32, wireBytes:
			if field == fieldUID || field == fieldGID {
				return Resource{}, fmt.Errorf("decode rootlesscontainers field %d: wrong wire type %d", field, wire)
			}
			skip := 8
			if wire == wireFixed32 {
				skip = 4
			} else if wire == wireBytes {
				l, n, err := readVarint(b)
				if err != nil {
					return Resource{}, fmt.Errorf("decode rootlesscontainers field %d: %w", field, err)
				}
				b = b[n:]
				if l > uint64(len(b)) {
					return Resource{}, fmt.Errorf("decode rootlesscontainers field %d: truncated", field)
				}
				skip = int(l)
			}
			if skip > len(b) {
				return Resource{}, fmt.Errorf("decode rootlesscontainers field %d: truncated", field)
			}
			b = b[skip:]
		default:
			return Resource{}, fmt.Errorf("decode rootlesscontainers field %d: unsupported wire type %d", field, wire)
		}
	}
	return r, nil
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func readVarint(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			if i == 9 && b[i] > 1 {
				return 0, 0, errors.New("varint overflows 64 bits")
			}
			return v, i + 1, nil
		}
	}
	if len(b) >= 10 {
		return 0, 0, errors.New("varint overflows 64 bits")
	}
	return 0, 0, errors.New("truncated varint")
}
