package registry

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// logTransport counts requests and, at debug level, logs each one with a
// redacted URL (no user info, query values other than the harmless ones
// hidden) and never a header: Authorization and tokens stay out of logs.
type logTransport struct{ base http.RoundTripper }

func (t logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	stats.requests.Add(1)
	ctx := req.Context()
	logger := slog.Default()
	if !logger.Enabled(ctx, slog.LevelDebug) {
		return bufferErrorBody(t.base.RoundTrip(req))
	}
	start := time.Now()
	resp, err := bufferErrorBody(t.base.RoundTrip(req))
	attrs := []any{"method", req.Method, "url", redactURL(req.URL), "duration", time.Since(start).Round(time.Millisecond)}
	if err != nil {
		logger.DebugContext(ctx, "registry request failed", append(attrs, "error", err.Error())...)
	} else {
		logger.DebugContext(ctx, "registry request", append(attrs, "status", resp.StatusCode)...)
	}
	return resp, err
}

// safeQuery are the query parameters whose values are shown in logs and
// errors; others (upload state, signed-URL signatures) may be secrets.
var safeQuery = [...]string{"n", "last", "scope", "service", "digest", "mount", "from"}

// redactURL returns u without user info and with unsafe query values
// replaced by "REDACTED".
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		for k, vs := range q {
			if !isSafeQuery(k) {
				for i := range vs {
					vs[i] = "REDACTED"
				}
			}
		}
		c.RawQuery = q.Encode()
	}
	return c.String()
}

func isSafeQuery(k string) bool {
	for _, s := range safeQuery {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}

// maxErrorBody is the largest error answer read ahead by bufferErrorBody.
const maxErrorBody = 64 << 10

// bufferErrorBody reads a small error answer (a 401 challenge, a 404)
// into memory and closes the connection's body at once: oras-go closes
// such bodies unread, which would make net/http drop the connection
// instead of reusing it.
func bufferErrorBody(resp *http.Response, err error) (*http.Response, error) {
	if err != nil || resp.StatusCode < 400 || resp.ContentLength < 0 || resp.ContentLength > maxErrorBody {
		return resp, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	if rerr != nil {
		return nil, rerr
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
