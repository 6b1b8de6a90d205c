package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/lade-oci/lade/internal/testimage"
)

const usage = `usage: mkimage busybox|small|bench LAYOUT:TAG
       mkimage scale LAYOUT:TAG [DIVISOR]
       mkimage tree DIR NFILES TOTALBYTES
       (busybox reads $BUSYBOX, default /bin/busybox)`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	if args[0] == "tree" {
		return runTree(ctx, args[1:], out)
	}
	div := 1
	if args[0] == "scale" && len(args) == 3 {
		n, err := strconv.Atoi(args[2])
		if err != nil || n < 1 {
			return fmt.Errorf("parse divisor %q: want a positive integer", args[2])
		}
		div, args = n, args[:2]
	}
	if len(args) != 2 {
		return errors.New(usage)
	}
	layout, tag, ok := strings.Cut(args[1], ":")
	if !ok || layout == "" || tag == "" {
		return fmt.Errorf("parse %q: want LAYOUT:TAG", args[1])
	}
	switch args[0] {
	case "busybox":
		bin := os.Getenv("BUSYBOX")
		if bin == "" {
			bin = "/bin/busybox"
		}
		b, err := testimage.Busybox(bin)
		if err != nil {
			return fmt.Errorf("build busybox image: %w (install Debian's busybox-static)", err)
		}
		return write(ctx, b, layout, tag, out)
	case "small":
		return write(ctx, testimage.Small(), layout, tag, out)
	case "bench":
		return writeBench(ctx, layout, tag, out)
	case "scale":
		return writeScale(ctx, layout, tag, div, out)
	}
	return fmt.Errorf("unknown kind %q\n%s", args[0], usage)
}

func write(ctx context.Context, b *testimage.Builder, layout, tag string, out io.Writer) error {
	res, err := b.Write(ctx, layout, tag)
	if err != nil {
		return fmt.Errorf("write image: %w", err)
	}
	fmt.Fprintf(out, "wrote %s:%s %s (%d layers)\n", layout, tag, res.Manifest.Digest, len(res.Layers))
	return nil
}

func runTree(ctx context.Context, args []string, out io.Writer) error {
	if len(args) != 3 {
		return errors.New(usage)
	}
	n, err1 := strconv.Atoi(args[1])
	total, err2 := strconv.ParseInt(args[2], 10, 64)
	if err := errors.Join(err1, err2); err != nil || n <= 0 || total < 0 {
		return fmt.Errorf("parse tree arguments %q: want positive NFILES and TOTALBYTES", args[1:])
	}
	if err := testimage.WriteTree(ctx, args[0], n, total); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s: %d files, %d bytes\n", args[0], n, total)
	return nil
}
