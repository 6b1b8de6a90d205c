package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"
)

// levelFatal is the level of the final error message: it is printed whatever
// --log says.
const levelFatal = slog.Level(12)

// logLevel is the level chosen by --log/--verbose; warn by default.
var logLevel = new(slog.LevelVar)

// parseLogLevel maps a --log value to a slog level.
func parseLogLevel(s string) (slog.Level, error) {
	switch s {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	case "fatal":
		return levelFatal, nil
	}
	return 0, fmt.Errorf("invalid --log value %q: must be one of debug, info, warn, error, fatal", s)
}

// setupLogging installs the CLI handler as the default slog logger, writing
// to w, and routes go-mtree's logrus output through it.
func setupLogging(w io.Writer) *slog.Logger {
	logLevel.Set(slog.LevelWarn)
	logger := slog.New(&cliHandler{w: w, mu: new(sync.Mutex), level: logLevel})
	slog.SetDefault(logger)

	logrus.SetOutput(io.Discard)
	logrus.SetLevel(logrus.TraceLevel)
	logrus.StandardLogger().ReplaceHooks(logrus.LevelHooks{})
	logrus.AddHook(logrusHook{})
	return logger
}

// cliHandler prints records like umoci's CLI: "   • msg" for debug, info and
// warn, "   ⨯ msg" for errors, followed by key=value attributes.
type cliHandler struct {
	w     io.Writer
	mu    *sync.Mutex
	level slog.Leveler
	attrs []slog.Attr
	group string
}

func (h *cliHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= levelFatal || l >= h.level.Level()
}

func (h *cliHandler) Handle(_ context.Context, r slog.Record) error {
	symbol := "•"
	if r.Level >= slog.LevelError {
		symbol = "⨯"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "   %s %s", symbol, r.Message)
	attrs := append([]slog.Attr(nil), h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		if h.group != "" {
			a.Key = h.group + "." + a.Key
		}
		attrs = append(attrs, a)
		return true
	})
	if len(attrs) > 0 {
		if pad := 25 - len([]rune(r.Message)); pad > 0 {
			b.WriteString(strings.Repeat(" ", pad))
		}
		for _, a := range attrs {
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value.Resolve())
		}
	}
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *cliHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	if h.group != "" {
		for i := len(h.attrs); i < len(n.attrs); i++ {
			n.attrs[i].Key = h.group + "." + n.attrs[i].Key
		}
	}
	return &n
}

func (h *cliHandler) WithGroup(name string) slog.Handler {
	n := *h
	if h.group != "" {
		name = h.group + "." + name
	}
	n.group = name
	return &n
}

// logrusHook forwards go-mtree's global logrus messages to slog, so they
// follow --log like everything else.
type logrusHook struct{}

func (logrusHook) Levels() []logrus.Level { return logrus.AllLevels }

func (logrusHook) Fire(e *logrus.Entry) error {
	level := slog.LevelDebug
	switch {
	case e.Level <= logrus.ErrorLevel:
		level = slog.LevelError
	case e.Level == logrus.WarnLevel:
		level = slog.LevelWarn
	case e.Level == logrus.InfoLevel:
		level = slog.LevelInfo
	}
	logger := slog.Default()
	ctx := context.Background()
	if e.Context != nil {
		ctx = e.Context
	}
	if !logger.Enabled(ctx, level) {
		return nil
	}
	args := make([]any, 0, 2*len(e.Data))
	for k, v := range e.Data {
		args = append(args, k, v)
	}
	logger.Log(ctx, level, "go-mtree: "+strings.TrimRight(e.Message, "\n"), args...)
	return nil
}
