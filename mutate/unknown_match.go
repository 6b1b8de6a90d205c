package mutate

import (
	"bytes"
	"encoding/json"
)

// arrayElems returns the elements of the JSON array raw, or false when raw
// is not an array.
func arrayElems(raw []byte) ([]json.RawMessage, bool) {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, false
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, false
	}
	return elems, true
}

// matchDigest pairs descriptors by digest: the k-th new element with
// digest D gets the k-th original element with digest D.
func matchDigest(prev, next []json.RawMessage) []int {
	byDigest := map[string][]int{}
	for j, p := range prev {
		if d, ok := elemDigest(p); ok {
			byDigest[d] = append(byDigest[d], j)
		}
	}
	pairs := make([]int, len(next))
	for i, n := range next {
		pairs[i] = -1
		if d, ok := elemDigest(n); ok && len(byDigest[d]) > 0 {
			pairs[i] = byDigest[d][0]
			byDigest[d] = byDigest[d][1:]
		}
	}
	return pairs
}

// elemDigest returns the digest of a descriptor element, decoded the way
// ispec.Descriptor decodes it.
func elemDigest(raw []byte) (string, bool) {
	var d struct {
		Digest string `json:"digest"`
	}
	if err := json.Unmarshal(raw, &d); err != nil || d.Digest == "" {
		return "", false
	}
	return d.Digest, true
}

// matchPosition pairs elements by index when the length is unchanged.
func matchPosition(prev, next []json.RawMessage) []int {
	pairs := make([]int, len(next))
	for i := range pairs {
		pairs[i] = -1
		if len(prev) == len(next) {
			pairs[i] = i
		}
	}
	return pairs
}

// matchAppended pairs elements by index when next is prev with elements
// appended: every element of prev is still at its index and has the same
// canonical form (the fields the struct models). Otherwise nothing pairs.
func matchAppended(canon func([]byte) ([]byte, bool)) func(prev, next []json.RawMessage) []int {
	return func(prev, next []json.RawMessage) []int {
		pairs := make([]int, len(next))
		for i := range pairs {
			pairs[i] = -1
		}
		if len(next) < len(prev) {
			return pairs
		}
		for j := range prev {
			a, okA := canon(prev[j])
			b, okB := canon(next[j])
			if !okA || !okB || !bytes.Equal(a, b) {
				return pairs
			}
		}
		for j := range prev {
			pairs[j] = j
		}
		return pairs
	}
}

// canonical decodes raw as a T and encodes it again: two elements with the
// same canonical form agree on every field T models.
func canonical[T any](raw []byte) ([]byte, bool) {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, false
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	return out, true
}
