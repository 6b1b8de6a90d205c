package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"
)

// Stats counts the registry traffic of the process.
type Stats struct {
	// Requests is the number of HTTP requests sent (each retry counts).
	Requests int64
	// Dials is the number of TCP connections opened. Requests/Dials is the
	// connection reuse: with keep-alive working, a copy of N layers dials
	// about as many connections as it runs transfers in parallel.
	Dials int64
}

var stats struct{ requests, dials atomic.Int64 }

// ReadStats returns the counts so far, for benchmarks and debug logs.
func ReadStats() Stats {
	return Stats{Requests: stats.requests.Load(), Dials: stats.dials.Load()}
}

// errStalled is wrapped by the error of a connection on which nothing
// moved for the stall timeout.
var errStalled = errors.New("connection stalled")

// stallError is a timeout (net.Error), so that transport.IsTransient and
// the retry policy treat it as worth retrying.
type stallError struct{ timeout time.Duration }

func (e stallError) Error() string {
	return fmt.Sprintf("%s: nothing received or sent for %s", errStalled, e.timeout)
}
func (e stallError) Unwrap() error   { return errStalled }
func (e stallError) Timeout() bool   { return true }
func (e stallError) Temporary() bool { return true }

// stallConn fails a Read or Write once nothing has moved in either
// direction for timeout: every call pushes the deadline of both
// directions forward, so a long upload keeps the pending read of the
// response alive, and a stalled peer ends the wait instead of hanging.
type stallConn struct {
	net.Conn
	timeout time.Duration
}

func (c *stallConn) Read(p []byte) (int, error) {
	_ = c.Conn.SetDeadline(time.Now().Add(c.timeout))
	n, err := c.Conn.Read(p)
	return n, c.mapErr(err)
}

func (c *stallConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetDeadline(time.Now().Add(c.timeout))
	n, err := c.Conn.Write(p)
	return n, c.mapErr(err)
}

func (c *stallConn) mapErr(err error) error {
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return stallError{c.timeout}
	}
	return err
}

// dialer opens counted connections with connect and stall timeouts.
func dialer(s settings) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: s.dialTimeout, KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		stats.dials.Add(1)
		return &stallConn{Conn: conn, timeout: s.stallTimeout}, nil
	}
}
