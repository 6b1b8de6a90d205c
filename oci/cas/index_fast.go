package cas

import (
	"github.com/opencontainers/go-digest"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Every command reads index.json, and with encoding/json a layout of a few
// hundred tags took a millisecond to parse: as much as the rest of a small
// command. decodeIndexFast parses the plain shape lade, umoci and skopeo
// write (the index's and descriptors' own keys spelled exactly, ASCII
// strings without escapes, integer numbers, no nulls, no duplicate keys,
// no "data") in one pass without reflection. Anything else, valid or not,
// makes it give up (ok false) and encoding/json decides, so errors and
// every unusual case stay exactly encoding/json's. FuzzDecodeIndexFast
// holds the two together.

// decodeIndexFast decodes data as encoding/json would into an ispec.Index,
// or reports that it cannot (ok false).
func decodeIndexFast(data []byte) (idx ispec.Index, ok bool) {
	d := &fastJSON{b: data}
	seen := 0
	ok = d.object(func(key string) bool {
		bit := 0
		var ok bool
		switch key {
		case "schemaVersion":
			bit = 1
			var n int64
			n, ok = d.integer()
			idx.SchemaVersion = int(n)
		case "mediaType":
			bit = 2
			idx.MediaType, ok = d.str()
		case "artifactType":
			bit = 4
			idx.ArtifactType, ok = d.str()
		case "manifests":
			bit = 8
			idx.Manifests = []ispec.Descriptor{}
			ok = d.array(func() bool {
				desc, ok := d.descriptor()
				idx.Manifests = append(idx.Manifests, desc)
				return ok
			})
		case "subject":
			bit = 16
			desc, ok2 := d.descriptor()
			idx.Subject, ok = &desc, ok2
		case "annotations":
			bit = 32
			idx.Annotations, ok = d.stringMap()
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	})
	if !ok || !d.end() {
		return ispec.Index{}, false
	}
	return idx, true
}

// descriptor decodes one descriptor object.
func (d *fastJSON) descriptor() (desc ispec.Descriptor, ok bool) {
	seen := 0
	ok = d.object(func(key string) bool {
		bit := 0
		var ok bool
		switch key {
		case "mediaType":
			bit = 1
			desc.MediaType, ok = d.str()
		case "digest":
			bit = 2
			var s string
			s, ok = d.str()
			desc.Digest = digest.Digest(s)
		case "size":
			bit = 4
			desc.Size, ok = d.integer()
		case "urls":
			bit = 8
			desc.URLs, ok = d.strings()
		case "annotations":
			bit = 16
			desc.Annotations, ok = d.stringMap()
		case "platform":
			bit = 32
			p, ok2 := d.platform()
			desc.Platform, ok = &p, ok2
		case "artifactType":
			bit = 64
			desc.ArtifactType, ok = d.str()
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	})
	return desc, ok
}

// platform decodes one platform object.
func (d *fastJSON) platform() (p ispec.Platform, ok bool) {
	seen := 0
	ok = d.object(func(key string) bool {
		bit := 0
		var ok bool
		switch key {
		case "architecture":
			bit = 1
			p.Architecture, ok = d.str()
		case "os":
			bit = 2
			p.OS, ok = d.str()
		case "os.version":
			bit = 4
			p.OSVersion, ok = d.str()
		case "os.features":
			bit = 8
			p.OSFeatures, ok = d.strings()
		case "variant":
			bit = 16
			p.Variant, ok = d.str()
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	})
	return p, ok
}

// fastJSON is a cursor over a JSON document for decodeIndexFast.
type fastJSON struct {
	b []byte
	i int
}

func (d *fastJSON) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// consume skips whitespace and then c, if it is there.
func (d *fastJSON) consume(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (d *fastJSON) end() bool {
	d.ws()
	return d.i == len(d.b)
}

// object calls member for each key of an object, with the cursor before
// the value, which member must consume.
func (d *fastJSON) object(member func(key string) bool) bool {
	if !d.consume('{') {
		return false
	}
	if d.consume('}') {
		return true
	}
	for {
		key, ok := d.str()
		if !ok || !d.consume(':') || !member(key) {
			return false
		}
		if d.consume('}') {
			return true
		}
		if !d.consume(',') {
			return false
		}
	}
}

// array calls elem for each element of an array.
func (d *fastJSON) array(elem func() bool) bool {
	if !d.consume('[') {
		return false
	}
	if d.consume(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.consume(']') {
			return true
		}
		if !d.consume(',') {
			return false
		}
	}
}

// str decodes a string of printable ASCII without escapes.
func (d *fastJSON) str() (string, bool) {
	if !d.consume('"') {
		return "", false
	}
	start := d.i
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			s := string(d.b[start:d.i])
			d.i++
			return s, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return "", false
		}
		d.i++
	}
	return "", false
}

// integer decodes a JSON integer that fits an int64.
func (d *fastJSON) integer() (int64, bool) {
	d.ws()
	neg := d.i < len(d.b) && d.b[d.i] == '-'
	if neg {
		d.i++
	}
	start := d.i
	var n uint64
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		if d.i-start >= 18 { // more digits than an int64 surely holds
			return 0, false
		}
		n = n*10 + uint64(d.b[d.i]-'0')
		d.i++
	}
	digits := d.i - start
	if digits == 0 || digits > 1 && d.b[start] == '0' {
		return 0, false
	}
	if d.i < len(d.b) {
		switch d.b[d.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

func (d *fastJSON) strings() ([]string, bool) {
	out := []string{}
	ok := d.array(func() bool {
		s, ok := d.str()
		out = append(out, s)
		return ok
	})
	return out, ok
}

// stringMap decodes an object of string values (later keys win, as with
// encoding/json).
func (d *fastJSON) stringMap() (map[string]string, bool) {
	m := map[string]string{}
	ok := d.object(func(key string) bool {
		v, ok := d.str()
		m[key] = v
		return ok
	})
	return m, ok
}
