package bundle

import "sync/atomic"

// chunkPool is a budget of prefetch buffers shared by the prefetchers of
// one unpack: the stream being applied and the next layer's read-ahead.
// Buffers go back to the pool as a stream needs fewer, or ends, so the
// read-ahead of the next layer fills what the current one gave back, and
// an unpack allocates its buffers once instead of once per layer.
//
// The pool is a channel of tokens: a buffer to reuse, or nil for one that
// may still be allocated. Its capacity is the budget, so put never blocks.
type chunkPool struct {
	ch chan []byte
}

// newChunkPool returns a pool of n buffers (at least one), allocated as
// they are first taken.
func newChunkPool(n int) *chunkPool {
	n = max(n, 1)
	p := &chunkPool{ch: make(chan []byte, n)}
	for range n {
		p.ch <- nil
	}
	return p
}

// take turns a token into a buffer.
func take(token []byte) []byte {
	if token == nil {
		return make([]byte, prefetchChunkSize)
	}
	return token[:cap(token)]
}

// put returns a token: a buffer nobody uses any longer, or nil to give
// back the right to allocate one (for a buffer a stray reader may hold).
func (p *chunkPool) put(buf []byte) {
	select {
	case p.ch <- buf:
	default: // not reached: there are never more tokens than the budget
	}
}

// budget is how many pool buffers a prefetcher holds and may hold.
type budget struct {
	held  atomic.Int64 // taken from the pool and not yet returned
	limit atomic.Int64 // the producer takes no more; the consumer returns the excess
}

// setLimit changes how many buffers the prefetcher may hold. Lowering it
// makes the consumer give buffers back as it releases them, down to n.
func (p *prefetcher) setLimit(n int) {
	p.budget.limit.Store(int64(max(n, 1)))
}

// buffer returns a buffer for the producer to fill: a free one of its own,
// else one from the pool while under its limit, else waits for either.
func (p *prefetcher) buffer() ([]byte, error) {
	select {
	case buf := <-p.free:
		return buf, nil
	default:
	}
	pool := p.pool.ch
	if p.budget.held.Load() >= p.budget.limit.Load() {
		pool = nil // never ready
	}
	select {
	case buf := <-p.free:
		return buf, nil
	case token := <-pool:
		p.budget.held.Add(1)
		p.alloc++
		return take(token), nil
	case <-p.stop:
		return nil, errPrefetchClosed
	}
}

// release hands a consumed buffer back: to the pool while the prefetcher
// holds more than its limit, else to its producer. Only the consumer
// calls it, and only the producer adds to held, so a prefetcher never
// drops below one buffer and always makes progress.
func (p *prefetcher) release(buf []byte) {
	if p.budget.held.Load() > p.budget.limit.Load() {
		p.budget.held.Add(-1)
		p.pool.put(buf)
		return
	}
	p.free <- buf // cannot block: free has room for every buffer
}

// recycle returns every buffer of a stopped prefetcher to the pool: the
// free ones and the filled ones never read, as buffers; the one the
// consumer may still hold, as the right to allocate another (a stray Read
// may still use it). It runs once, after the producer has exited.
func (p *prefetcher) recycle() {
	for buf := range p.chunks { // closed by the producer
		p.pool.put(buf)
		p.budget.held.Add(-1)
		p.unread = true
	}
	for {
		select {
		case buf := <-p.free:
			p.pool.put(buf)
			p.budget.held.Add(-1)
			continue
		default:
		}
		break
	}
	for p.budget.held.Load() > 0 {
		p.pool.put(nil)
		p.budget.held.Add(-1)
	}
}
