package main

import (
	"bufio"
	"fmt"
	"unicode"
)

// Embedded descriptor data is dumped like umoci does: at most maxDataDump
// bytes, dumpLineBytes per line as "OFFS: hhhh hhhh ...  text".
const (
	maxDataDump   = 256
	dumpLineBytes = 16
)

// writeDump writes the dump of data, each line prefixed with indent. The
// text column shows a byte as itself when it is a graphic character read as
// a Latin-1 code point (written as the raw byte, as umoci does), else ".".
func writeDump(w *bufio.Writer, indent string, data []byte) {
	shown := data[:min(len(data), maxDataDump)]
	for off := 0; off < len(shown); off += dumpLineBytes {
		chunk := shown[off:min(off+dumpLineBytes, len(shown))]
		fmt.Fprintf(w, "%s%.4x: ", indent, off)
		text := make([]byte, 0, dumpLineBytes)
		for i := range dumpLineBytes {
			if i != 0 && i%2 == 0 {
				w.WriteByte(' ')
			}
			if i >= len(chunk) {
				w.WriteString("  ")
				continue
			}
			b := chunk[i]
			fmt.Fprintf(w, "%.2x", b)
			if !unicode.IsGraphic(rune(b)) {
				b = '.'
			}
			text = append(text, b)
		}
		w.WriteString("  ")
		w.Write(text)
		w.WriteByte('\n')
	}
	if rest := len(data) - len(shown); rest > 0 {
		fmt.Fprintf(w, "%s....  (extra %d bytes omitted)\n", indent, rest)
	}
}
