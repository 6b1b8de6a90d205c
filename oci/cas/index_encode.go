package cas

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// EncodeIndex writes idx as json.NewEncoder(w).Encode(idx) does (compact,
// HTML-safe escapes, map keys sorted, a final newline), byte for byte,
// without reflection: encoding/json spent about as long setting up its
// encoders for these types as writing an index of a few hundred tags.
// FuzzEncodeIndex holds the two together, and TestEncodeIndexKnowsEveryField
// fails when image-spec adds a field this does not write.
func EncodeIndex(idx ispec.Index) []byte {
	b := make([]byte, 0, 64+200*len(idx.Manifests))
	b = append(b, `{"schemaVersion":`...)
	b = strconv.AppendInt(b, int64(idx.SchemaVersion), 10)
	if idx.MediaType != "" {
		b = append(b, `,"mediaType":`...)
		b = appendJSONString(b, idx.MediaType)
	}
	if idx.ArtifactType != "" {
		b = append(b, `,"artifactType":`...)
		b = appendJSONString(b, idx.ArtifactType)
	}
	b = append(b, `,"manifests":`...)
	if idx.Manifests == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range idx.Manifests {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendDescriptor(b, &idx.Manifests[i])
		}
		b = append(b, ']')
	}
	if idx.Subject != nil {
		b = append(b, `,"subject":`...)
		b = appendDescriptor(b, idx.Subject)
	}
	if len(idx.Annotations) > 0 {
		b = append(b, `,"annotations":`...)
		b = appendStringMap(b, idx.Annotations)
	}
	return append(b, "}\n"...)
}

func appendDescriptor(b []byte, d *ispec.Descriptor) []byte {
	b = append(b, `{"mediaType":`...)
	b = appendJSONString(b, d.MediaType)
	b = append(b, `,"digest":`...)
	b = appendJSONString(b, string(d.Digest))
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, d.Size, 10)
	if len(d.URLs) > 0 {
		b = append(b, `,"urls":`...)
		b = appendStrings(b, d.URLs)
	}
	if len(d.Annotations) > 0 {
		b = append(b, `,"annotations":`...)
		b = appendStringMap(b, d.Annotations)
	}
	if len(d.Data) > 0 {
		b = append(b, `,"data":"`...)
		b = base64.StdEncoding.AppendEncode(b, d.Data)
		b = append(b, '"')
	}
	if p := d.Platform; p != nil {
		b = append(b, `,"platform":{"architecture":`...)
		b = appendJSONString(b, p.Architecture)
		b = append(b, `,"os":`...)
		b = appendJSONString(b, p.OS)
		if p.OSVersion != "" {
			b = append(b, `,"os.version":`...)
			b = appendJSONString(b, p.OSVersion)
		}
		if len(p.OSFeatures) > 0 {
			b = append(b, `,"os.features":`...)
			b = appendStrings(b, p.OSFeatures)
		}
		if p.Variant != "" {
			b = append(b, `,"variant":`...)
			b = appendJSONString(b, p.Variant)
		}
		b = append(b, '}')
	}
	if d.ArtifactType != "" {
		b = append(b, `,"artifactType":`...)
		b = appendJSONString(b, d.ArtifactType)
	}
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendStringMap writes m with its keys in sorted order, as encoding/json
// does. An index has a handful of annotations, so an insertion sort of the
// keys is enough.
func appendStringMap(b []byte, m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		i := len(keys)
		keys = append(keys, k)
		for ; i > 0 && keys[i-1] > k; i-- {
			keys[i] = keys[i-1]
		}
		keys[i] = k
	}
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping on:
// ", \ and the short control escapes (\b \f \n \r \t) by name, other
// control characters and <, >, & as \u00XX, U+2028 and U+2029 as \u2028
// and \u2029, and each invalid UTF-8 byte as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
