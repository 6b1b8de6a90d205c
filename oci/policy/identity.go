package policy

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lade-oci/lade/oci/transport"
)

// parseIdentity checks a signedIdentity (or baseLayerIdentity) object: one
// of the identity match types of containers-policy.json(5) with exactly
// its fields, and docker references and prefixes that parse.
func parseIdentity(raw json.RawMessage) error {
	kind, err := objectType(raw)
	if err != nil {
		return fmt.Errorf("signedIdentity: %w", err)
	}
	switch kind {
	case "matchExact", "matchRepoDigestOrExact", "matchRepository":
		err = decodeExact(raw, map[string]any{"type": new(string)})
	case "exactReference":
		var ref string
		err = decodeExact(raw, map[string]any{"type": new(string), "dockerReference": &ref})
		if err == nil {
			err = checkExactReference(ref)
		}
	case "exactRepository":
		var repo string
		err = decodeExact(raw, map[string]any{"type": new(string), "dockerRepository": &repo})
		if err == nil {
			if _, perr := transport.ParseDockerReference(repo); perr != nil {
				err = fmt.Errorf("invalid dockerRepository %q: %w", repo, perr)
			}
		}
	case "remapIdentity":
		var prefix, signedPrefix string
		err = decodeExact(raw, map[string]any{"type": new(string), "prefix": &prefix, "signedPrefix": &signedPrefix})
		if err == nil {
			err = checkRemapPrefix("prefix", prefix)
		}
		if err == nil {
			err = checkRemapPrefix("signedPrefix", signedPrefix)
		}
	default:
		return fmt.Errorf("signedIdentity: unknown policy reference match type %q", kind)
	}
	if err != nil {
		return fmt.Errorf("signedIdentity %s: %w", kind, err)
	}
	return nil
}

// checkExactReference requires a docker reference with a tag or a digest.
func checkExactReference(ref string) error {
	if _, err := transport.ParseDockerRepository(ref); err == nil {
		return fmt.Errorf("dockerReference %q contains neither a tag nor a digest", ref)
	}
	if _, err := transport.ParseDockerReference(ref); err != nil {
		return fmt.Errorf("invalid dockerReference %q: %w", ref, err)
	}
	return nil
}

// checkRemapPrefix requires a host[:port], a repository namespace or a
// repository, without tag or digest.
func checkRemapPrefix(field, prefix string) error {
	if _, err := transport.ParseDockerRepository(prefix); err == nil {
		return nil
	}
	// A bare "host:port" is not a repository name; it is valid if it is a
	// valid registry for some repository.
	if !strings.Contains(prefix, "/") {
		if ref, err := transport.ParseDockerRepository(prefix + "/x"); err == nil && ref.Registry == prefix {
			return nil
		}
	}
	return fmt.Errorf("invalid %s %q: want host[:port], a repository namespace or a repository", field, prefix)
}
