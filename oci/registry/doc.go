// Package registry is lade's docker:// transport and the registry
// operations behind skopeo's list-tags, delete, login and logout, built on
// oras-go's registry client (oras.land/oras-go/v2/registry/remote and its
// auth, credentials, retry and errcode packages).
//
// It owns everything between a [transport.Name] and the wire:
//
//   - credentials as skopeo finds them (Options.Credentials, then
//     Options.RegistryToken, then Options.NoCreds, then the auth files of
//     package authfile with their credential helpers);
//   - basic and bearer-token auth, scoped per repository, with tokens
//     cached for the life of the process and shared by every source and
//     destination that uses the same credential on the same registry;
//   - TLS from Options.CertDir or the certs.d directories, plain HTTP with
//     Options.TLSVerify=false (https is tried first);
//   - at most Options.RetryTimes retries (0: none) of a request that got
//     a 408, 429 or 5xx answer, a reset or a timeout, honouring
//     Retry-After up to a cap; a refused connection is not retried;
//   - defences against hostile registries: manifests size-capped before
//     they are read and checked against the digest and media type asked
//     for, blobs verified while they stream, bounded redirects that never
//     carry credentials to another origin, timeouts on connect, TLS
//     handshake, response headers and stalled connections, bounded tag
//     list pagination.
//
// Errors are one line and never contain a password or token; a 401 or
// 403 reads "unauthorized: ...", a certificate failure is a [*TLSError]
// with a hint naming --cert-dir and --tls-verify=false, a missing
// manifest or blob keeps the registry's error code ("manifest unknown:
// manifest unknown") and matches transport.ErrNotFound. A failure the
// HTTP client already retried is marked transport.Retried; one it could
// not retry (a blob body that broke off, a streamed upload) is marked
// transport.Transient, for the copy engine's retry of the whole transfer.
//
// A registry cannot roll a push back: a destination whose Commit did not
// succeed leaves the blobs it uploaded in the repository, unreferenced (as
// skopeo does); the registry's garbage collection removes them.
package registry
