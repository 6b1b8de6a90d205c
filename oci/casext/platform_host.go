package casext

import (
	"bufio"
	"io"
	"os"
	"runtime"
	"strings"
)

// HostVariant returns the CPU variant of this machine as skopeo 1.9 detects
// it: on Linux arm and arm64 hosts, the "CPU architecture" of /proc/cpuinfo
// mapped to an OCI variant ("v8", "v7", ...); "" on other systems and
// architectures, or when it cannot be told.
func HostVariant() string {
	if runtime.GOOS != "linux" || (runtime.GOARCH != "arm" && runtime.GOARCH != "arm64") {
		return ""
	}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	return cpuInfoVariant(f)
}

// cpuInfoVariant maps the first "CPU architecture" line of a cpuinfo file
// to an OCI arm variant ("" when there is none or it is not known).
func cpuInfoVariant(cpuinfo io.Reader) string {
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
