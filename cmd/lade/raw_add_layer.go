package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/oci/compress"
)

// rawAddLayerCreatedBy is the created_by of raw add-layer's history entry.
const rawAddLayerCreatedBy = "umoci raw add-layer"

// addLayerPeek is how much of the (decompressed) input is read ahead to
// check that it starts with a tar header (PAX headers included).
const addLayerPeek = 64 << 10

func init() { registerRawSubcommand(rawAddLayerCommand()) }

func rawAddLayerCommand() *cli.Command {
	return &cli.Command{
		Name:      "add-layer",
		Usage:     "add a layer archive verbatim to an image",
		ArgsUsage: "<new-layer.tar>",
		Description: `Append the tar archive <new-layer.tar> as a new layer of the image --image
PATH[:TAG] (TAG defaults to "latest") and point --tag NEW (default: TAG) at
the result. The archive is stored as given (whiteouts included); it is not
checked beyond its first header, and nothing else in the image changes
except the history.

A gzip or zstd compressed archive is recognised and decompressed first, so
that the diff_id is that of the tar itself and the layer is never compressed
twice; bzip2 and xz archives are refused. The layer is then compressed as
--compress says: none, gzip, zstd, or auto (default: the compression of the
image's most recent compressed layer, else gzip).

A history entry (created_by "umoci raw add-layer", author the image's
author) is appended unless --no-history; its time is --history.created,
SOURCE_DATE_EPOCH or now.` + platformHelp,
		Flags:  rawAddLayerFlags(),
		Action: runRawAddLayer,
	}
}

func rawAddLayerFlags() []cli.Flag {
	flags := []cli.Flag{
		imageFlag(),
		platformFlag(),
		&cli.StringFlag{Name: "tag", Usage: "tag the result as `NEW` instead of overwriting the source tag"},
		compressFlag(),
		compressLevelFlag(),
	}
	return append(flags, historyFlags()...)
}

func runRawAddLayer(c *cli.Context) error {
	if err := checkArgs(c, 1, "<new-layer.tar>"); err != nil {
		return err
	}
	layerPath := c.Args().First()
	if layerPath == "" {
		return errors.New("invalid layer path: empty")
	}
	img, err := selectImage(c)
	if err != nil {
		return err
	}
	newTag, err := newTagFromFlag(c, img.Tag)
	if err != nil {
		return err
	}
	if _, err := compressFromFlag(c, nil); err != nil {
		return err
	}
	history, err := layerHistory(c, rawAddLayerCreatedBy)
	if err != nil {
		return err
	}
	f, err := os.Open(layerPath)
	if err != nil {
		return fmt.Errorf("open layer: %w", err)
	}
	defer f.Close()
	tarStream, closeTar, err := openLayerTar(f)
	if err != nil {
		return fmt.Errorf("read layer %s: %w", layerPath, err)
	}
	defer closeTar()

	job := layerJob{image: img, newTag: newTag, history: history}
	job.generate = func(w io.Writer) error {
		if _, err := io.Copy(w, tarStream); err != nil {
			return fmt.Errorf("read layer %s: %w", layerPath, err)
		}
		return nil
	}
	return job.run(c)
}

// openLayerTar returns the uncompressed tar stream of r: r itself, or its
// gzip/zstd decompression. It refuses other compressions and data whose
// first header is not a tar header.
func openLayerTar(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReader(r)
	alg, err := compress.Detect(br)
	if err != nil {
		return nil, nil, err
	}
	var stream io.Reader = br
	closer := func() {}
	if alg.Name() != compress.None.Name() {
		dr, err := alg.Decompress(br)
		if err != nil {
			return nil, nil, fmt.Errorf("decompress %s: %w", alg.Name(), err)
		}
		stream, closer = dr, func() { _ = dr.Close() }
	}
	tb := bufio.NewReaderSize(stream, addLayerPeek)
	if err := checkTarStart(tb); err != nil {
		closer()
		return nil, nil, err
	}
	return tb, closer, nil
}

// checkTarStart checks that br starts with a parsable tar header (or is an
// empty archive), without consuming anything.
func checkTarStart(br *bufio.Reader) error {
	head, err := br.Peek(addLayerPeek)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return fmt.Errorf("check tar header: %w", err)
	}
	if len(head) == 0 {
		return errors.New("not a tar archive: empty file")
	}
	_, err = tar.NewReader(bytes.NewReader(head)).Next()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF) && len(head) >= 1024:
		return nil // an empty archive: just the two zero blocks
	case errors.Is(err, io.ErrUnexpectedEOF) && len(head) == addLayerPeek:
		return nil // a header (e.g. a huge PAX record) longer than the peek
	}
	return fmt.Errorf("not a tar archive: %w", err)
}
