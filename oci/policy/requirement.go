package policy

import (
	"encoding/json"
	"errors"
	"fmt"
)

// The requirement types of containers-policy.json(5).
const (
	typeInsecureAcceptAnything = "insecureAcceptAnything"
	typeReject                 = "reject"
	typeSignedBy               = "signedBy"
	typeSigstoreSigned         = "sigstoreSigned"
	typeSignedBaseLayer        = "signedBaseLayer"
)

// requirement is one parsed policy requirement. Only its type matters to
// lade: the signature types are validated (so that a malformed file is
// refused as skopeo refuses it) but never evaluated.
type requirement struct {
	kind string
}

// parseRequirements parses a non-empty JSON array of requirements.
func parseRequirements(raw json.RawMessage) ([]requirement, error) {
	var items []json.RawMessage
	if err := decodeValue("requirements", raw, &items); err != nil {
		return nil, errors.New("requirements must be a JSON array")
	}
	if len(items) == 0 {
		return nil, errors.New("list of requirements must not be empty")
	}
	reqs := make([]requirement, 0, len(items))
	for i, item := range items {
		r, err := parseRequirement(item)
		if err != nil {
			return nil, fmt.Errorf("requirement %d: %w", i+1, err)
		}
		reqs = append(reqs, r)
	}
	return reqs, nil
}

// parseRequirement parses one requirement object by its "type".
func parseRequirement(raw json.RawMessage) (requirement, error) {
	kind, err := objectType(raw)
	if err != nil {
		return requirement{}, err
	}
	switch kind {
	case typeInsecureAcceptAnything, typeReject:
		err = decodeExact(raw, map[string]any{"type": new(string)})
	case typeSignedBy:
		err = parseSignedBy(raw)
	case typeSigstoreSigned:
		err = parseSigstoreSigned(raw)
	case typeSignedBaseLayer:
		var identity json.RawMessage
		err = decodeExact(raw, map[string]any{"type": new(string), "baseLayerIdentity": &identity})
		if err == nil {
			err = parseIdentity(identity)
		}
	default:
		return requirement{}, fmt.Errorf("unknown policy requirement type %q", kind)
	}
	if err != nil {
		return requirement{}, fmt.Errorf("%s: %w", kind, err)
	}
	return requirement{kind: kind}, nil
}

// objectType returns the "type" member of a JSON object.
func objectType(raw json.RawMessage) (string, error) {
	var probe map[string]json.RawMessage
	if err := decodeValue("requirement", raw, &probe); err != nil {
		return "", errors.New("expected a JSON object")
	}
	t, ok := probe["type"]
	if !ok {
		return "", errors.New(`key "type" missing`)
	}
	var kind string
	if err := decodeValue("type", t, &kind); err != nil {
		return "", err
	}
	return kind, nil
}

// keyTypes are signedBy's valid keyType values.
var keyTypes = map[string]bool{
	"GPGKeys": true, "signedByGPGKeys": true, "X509Certificates": true, "signedByX509CAs": true,
}

// parseSignedBy checks a signedBy requirement: a valid keyType, exactly one
// of keyPath, keyPaths and keyData, and an optional signedIdentity.
func parseSignedBy(raw json.RawMessage) error {
	var keyType, keyPath string
	var keyPaths []string
	var keyData []byte
	var identity json.RawMessage
	sources := 0
	err := decodeObject(raw, func(key string, value json.RawMessage) error {
		switch key {
		case "type":
			return decodeValue(key, value, new(string))
		case "keyType":
			return decodeValue(key, value, &keyType)
		case "keyPath":
			if err := decodeValue(key, value, &keyPath); err != nil {
				return err
			}
			if keyPath != "" { // an empty path is no key, as in skopeo
				sources++
			}
			return nil
		case "keyPaths":
			sources++
			return decodeValue(key, value, &keyPaths)
		case "keyData":
			sources++
			return decodeValue(key, value, &keyData)
		case "signedIdentity":
			identity = value
			return nil
		}
		return errUnknownKey
	})
	if err != nil {
		return err
	}
	if !keyTypes[keyType] {
		return fmt.Errorf("invalid keyType %q", keyType)
	}
	if sources != 1 {
		return errors.New("exactly one of keyPath, keyPaths and keyData must be specified")
	}
	if identity != nil {
		return parseIdentity(identity)
	}
	return nil
}

// sigstoreKeys are the keys a sigstoreSigned requirement may have, with a
// value of the JSON type given, and whether each is key material. The keys
// of newer containers-policy.json versions (Fulcio, Rekor, PKI) are
// accepted too: lade refuses the requirement anyway, and a policy written
// for a newer skopeo should not be unreadable.
var sigstoreKeys = map[string]struct {
	newValue func() any
	material bool
}{
	"type":                {newValue: func() any { return new(string) }},
	"keyPath":             {newValue: func() any { return new(string) }, material: true},
	"keyData":             {newValue: func() any { return new(string) }, material: true},
	"keyPaths":            {newValue: func() any { return new([]string) }, material: true},
	"keyDatas":            {newValue: func() any { return new([]string) }, material: true},
	"fulcio":              {newValue: func() any { return new(map[string]json.RawMessage) }, material: true},
	"pki":                 {newValue: func() any { return new(map[string]json.RawMessage) }, material: true},
	"rekorPublicKeyPath":  {newValue: func() any { return new(string) }},
	"rekorPublicKeyData":  {newValue: func() any { return new(string) }},
	"rekorPublicKeyPaths": {newValue: func() any { return new([]string) }},
	"rekorPublicKeyDatas": {newValue: func() any { return new([]string) }},
}

// parseSigstoreSigned checks a sigstoreSigned requirement: known keys with
// values of the right JSON type, some key material, and an optional
// signedIdentity.
func parseSigstoreSigned(raw json.RawMessage) error {
	var identity json.RawMessage
	material := false
	err := decodeObject(raw, func(key string, value json.RawMessage) error {
		if key == "signedIdentity" {
			identity = value
			return nil
		}
		k, ok := sigstoreKeys[key]
		if !ok {
			return errUnknownKey
		}
		material = material || k.material
		return decodeValue(key, value, k.newValue())
	})
	if err != nil {
		return err
	}
	if !material {
		return errors.New("no key material (keyPath, keyPaths, keyData, keyDatas, fulcio or pki)")
	}
	if identity != nil {
		return parseIdentity(identity)
	}
	return nil
}
