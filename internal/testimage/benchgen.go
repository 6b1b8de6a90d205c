package testimage

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"strconv"
)

// gen produces deterministic pseudo-content: text that compresses like
// source code (about 3-4x) and binaries that barely compress.
type gen struct {
	words []string
}

func newGen(seed uint64) *gen {
	r := rand.New(rand.NewPCG(seed, 0x6c616465))
	const letters = "abcdefghijklmnopqrstuvwxyz_"
	g := &gen{}
	for range 3000 {
		n := 2 + r.IntN(10)
		w := make([]byte, n)
		for i := range w {
			w[i] = letters[r.IntN(len(letters)-1)]
			if i > 0 && r.IntN(8) == 0 {
				w[i] = letters[r.IntN(len(letters))]
			}
		}
		g.words = append(g.words, string(w))
	}
	return g
}

// word picks a word with a skewed (Zipf-like) distribution.
func (g *gen) word(r *rand.Rand) string {
	i := r.IntN(len(g.words))
	return g.words[r.IntN(i+1)]
}

// text returns size bytes of code-like lines.
func (g *gen) text(seed uint64, size int64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	buf := bytes.NewBuffer(make([]byte, 0, size+128))
	indent := 0
	for int64(buf.Len()) < size {
		buf.WriteString("                "[:indent*4])
		switch r.IntN(6) {
		case 0:
			buf.WriteString("def " + g.word(r) + "(" + g.word(r) + ", " + g.word(r) + "):\n")
			indent = min(indent+1, 3)
		case 1:
			buf.WriteString("# " + g.word(r) + " " + g.word(r) + " " + g.word(r) + " " + g.word(r) + "\n")
		case 2:
			buf.WriteString("return " + g.word(r) + "." + g.word(r) + "\n")
			indent = max(indent-1, 0)
		default:
			buf.WriteString(g.word(r) + " = " + g.word(r) + "(" + strconv.Itoa(r.IntN(10000)) + ", \"" + g.word(r) + "\")\n")
		}
	}
	return buf.Bytes()[:size]
}

// binary returns a reader of size bytes: mostly random 4 KiB blocks with
// some zero runs and repeated tables, like a stripped executable.
func (g *gen) binary(seed uint64, size int64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return &binReader{c: rand.NewChaCha8(key), r: rand.New(rand.NewPCG(seed, 2)), left: size}
}

type binReader struct {
	c     *rand.ChaCha8
	r     *rand.Rand
	left  int64
	block [4096]byte
	pos   int
}

func (b *binReader) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && b.left > 0 {
		if b.pos == 0 {
			switch k := b.r.IntN(10); {
			case k == 0:
				clear(b.block[:])
			case k < 3:
				for i := 0; i < len(b.block); i += 8 {
					binary.LittleEndian.PutUint64(b.block[i:], uint64(i/8%32)*0x0101010101)
				}
			default:
				_, _ = b.c.Read(b.block[:])
			}
		}
		c := copy(p[n:], b.block[b.pos:])
		c = int(min(int64(c), b.left))
		n += c
		b.left -= int64(c)
		b.pos = (b.pos + c) % len(b.block)
	}
	return n, nil
}
