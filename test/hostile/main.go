package main

import (
	"archive/tar"
	"fmt"
	"os"
	"path/filepath"
)

type entry struct {
	typ           byte
	name, link, c string
	size          int64 // 0: len(c)
}

func file(n, c string) entry     { return entry{typ: tar.TypeReg, name: n, c: c} }
func dir(n string) entry         { return entry{typ: tar.TypeDir, name: n} }
func symlink(n, t string) entry  { return entry{typ: tar.TypeSymlink, name: n, link: t} }
func hardlink(n, t string) entry { return entry{typ: tar.TypeLink, name: n, link: t} }
func fifo(n string) entry        { return entry{typ: tar.TypeFifo, name: n} }

// images maps tag -> layers. Tags starting with "ok-" must unpack (the
// attack is neutralised), "bad-" must fail with one line.
func images(outside string) map[string][][]entry {
	return map[string][][]entry{
		"good": {{dir("etc"), file("etc/hostname", "good\n")}},
		"ok-dotdot": {{file("../../../outside/x", "pwn"), file("/abs", "pwn"),
			file(filepath.Join("..", "..", "..", "..", outside, "passwd"), "pwn")}},
		"ok-symlink-swap": {
			{dir("d"), file("d/a", "a"), symlink("abs", outside), symlink("rel", "../../../../outside")},
			{symlink("d", outside), file("d/passwd", "pwn"), file("abs/x", "pwn"), file("rel/x", "pwn")},
			{file("d/x", "pwn"), dir("abs"), file("abs/sub/file", "pwn")},
		},
		"ok-write-over-symlink": {
			{symlink("f", filepath.Join(outside, "passwd")), symlink("g", outside), symlink("h", filepath.Join(outside, "x"))},
			{file("f", "pwn"), hardlink("f2", "h"), file("f2", "pwn"), fifo("g")},
		},
		"ok-whiteout-escape": {
			{symlink("esc", outside), symlink("rel", "../../outside")},
			{file("esc/.wh.passwd", ""), file("rel/.wh..wh..opq", ""), file("esc/.wh..wh..opq", ""), file("../.wh.outside", "")},
		},
		"ok-fifo-then-file":        {{fifo("p"), dir("d"), fifo("d/q")}, {file("p", "data"), file("d/q/x", "data")}},
		"bad-hardlink-escape":      {{hardlink("h", filepath.Join("..", "..", outside, "passwd"))}},
		"bad-hardlink-via-symlink": {{symlink("esc", outside), hardlink("h", "esc/passwd")}},
		"bad-whiteout-dotdot":      {{file("keep", "x")}, {file(".wh...", "")}},
		"bad-root-symlink":         {{symlink(".", outside)}},
		"bad-truncated":            {{dir("etc"), {typ: tar.TypeReg, name: "etc/big", c: "abc", size: 1 << 30}}},
		"bad-newline-name":         {{hardlink("h", "no\nsuch\nfile")}},
		"bad-gzip-no-trailer":      {{dir("etc"), file("etc/hostname", "gzip\n")}},
		"bad-gzip-partial-trailer": {{dir("etc"), file("etc/hostname", "gzip\n")}},
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: hostile LAYOUT OUTSIDE")
		os.Exit(2)
	}
	if err := write(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
}
