package imagecopy

import (
	"context"

	"github.com/lade-oci/lade/oci/transport"
)

// retry calls fn until it succeeds, fails with an error that is not
// transient, or has been retried Options.RetryTimes times
// (transport.Retry). Only what a transport could not retry itself is
// transient: a registry's HTTP client retries every request it can send
// again and marks its last failure transport.Retried, so the engine
// retries a blob whose body failed in the middle of its transfer, not a
// request the client already gave up on (--retry-times N stays N+1 tries
// of a request).
func (c *copier) retry(ctx context.Context, what string, fn func() error) error {
	return transport.Retry(ctx, c.opts.RetryTimes, c.opts.RetryDelay, what, fn)
}
