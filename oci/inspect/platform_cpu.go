package inspect

import (
	"bufio"
	"io"
	"os"
	"runtime"
	"strings"
)

// hostVariant returns the CPU variant of this machine for arch (the
// host's architecture): on Linux arm and arm64 hosts the "CPU
// architecture" of /proc/cpuinfo, as skopeo reads it; "" elsewhere.
func hostVariant(arch string) string {
	if runtime.GOOS != "linux" || (arch != "arm" && arch != "arm64") {
		return ""
	}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	return armVariant(f)
}

// armVariant maps the first "CPU architecture" line of a cpuinfo file to
// an OCI arm variant ("" when there is none or it is not known).
func armVariant(cpuinfo io.Reader) string {
	sc := bufio.NewScanner(cpuinfo)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "CPU architecture") {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(value)) {
		case "8", "aarch64":
			return "v8"
		case "7", "7m", "?(12)", "?(13)", "?(14)", "?(15)", "?(16)", "?(17)":
			return "v7"
		case "6", "6tej":
			return "v6"
		case "5", "5t", "5te", "5tej":
			return "v5"
		case "4", "4t":
			return "v4"
		case "3":
			return "v3"
		}
		return ""
	}
	return ""
}
