// Package policy reads skopeo's signature policy (containers-policy.json(5))
// and decides whether an image may be copied from its source.
//
// [Load] parses a policy file as strictly as skopeo does: unknown,
// duplicated or mistyped fields, an empty requirement list, an unknown
// requirement type and a scope the transport does not accept all make the
// whole file invalid. [Default] finds the file the way skopeo does
// ($HOME/.config/containers/policy.json, else /etc/containers/policy.json)
// except that, where skopeo fails when neither exists, lade accepts every
// image (the caller says so in its log).
//
// [Policy.Check] looks up the requirements for a source image name: the
// most specific scope of its transport (the image itself, then its
// repository, namespaces, host and wildcarded domains for docker:; the
// resolved path and its parent directories for oci:, oci-archive: and dir:),
// then the transport's "" scope, then the global default. It accepts
// insecureAcceptAnything, refuses reject with skopeo's message, and refuses
// every signature requirement (signedBy, sigstoreSigned, signedBaseLayer):
// lade verifies no signatures, and never accepts silently what it cannot
// check.
//
// This package reads the policy file and resolves local paths; it imports
// no lade package other than oci/transport.
package policy
