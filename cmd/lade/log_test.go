package main

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/sirupsen/logrus"
)

func TestCLIHandler(t *testing.T) {
	var b bytes.Buffer
	logger := setupLogging(&b)
	t.Cleanup(func() { logLevel.Set(slog.LevelWarn) })

	logger.Info("hidden at warn")
	logger.Warn("careful")
	logger.Error("broken", "path", "/x", "n", 3)
	logger.With("a", 1).WithGroup("g").Warn("grouped", "k", "v")
	logger.Log(t.Context(), levelFatal, "fatal always")
	want := "   • careful\n" +
		"   ⨯ broken                    path=/x n=3\n" +
		"   • grouped                   a=1 g.k=v\n" +
		"   ⨯ fatal always\n"
	if b.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", b.String(), want)
	}

	b.Reset()
	logLevel.Set(levelFatal)
	logger.Error("quiet")
	logger.Log(t.Context(), levelFatal, "still shown")
	if b.String() != "   ⨯ still shown\n" {
		t.Errorf("got %q", b.String())
	}
}

func TestParseLogLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{
		"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn,
		"error": slog.LevelError, "fatal": levelFatal,
	} {
		if got, err := parseLogLevel(in); err != nil || got != want {
			t.Errorf("parseLogLevel(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := parseLogLevel("trace"); err == nil {
		t.Error("trace accepted")
	}
}

func TestLogrusFollowsLevel(t *testing.T) {
	var b bytes.Buffer
	setupLogging(&b)
	t.Cleanup(func() { logLevel.Set(slog.LevelWarn) })

	logrus.Debugf("mtree debug %d", 1)
	logrus.WithField("path", "x").Warn("mtree warning")
	if want := "   • go-mtree: mtree warning   path=x\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	b.Reset()
	logLevel.Set(slog.LevelError)
	logrus.Warn("hidden")
	if b.Len() != 0 {
		t.Errorf("logrus warning shown at error level: %q", b.String())
	}
}
