package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// procCPU is a process's CPU time (user and system) so far, read from /proc; with children, also
// that of the children it waited for and of those still running (one level: PostgreSQL's
// backends and workers are the postmaster's children). Zero where /proc cannot be read.
func procCPU(pid int, children bool) time.Duration {
	own, waited, ok := procStat(pid)
	if !ok || !children {
		return own
	}
	total := own + waited
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return total
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil || parentOf(child) != pid {
			continue
		}
		own, waited, _ := procStat(child)
		total += own + waited
	}
	return total
}

// procStat reads a process's own CPU time and that of the children it waited for.
func procStat(pid int) (own, waited time.Duration, ok bool) {
	fields := statFields(pid)
	if len(fields) < 15 {
		return 0, 0, false
	}
	// Fields after the command name, from 0: utime 11, stime 12, cutime 13, cstime 14, in clock
	// ticks (USER_HZ is 100 on Linux).
	tick := func(i int) time.Duration {
		n, _ := strconv.ParseInt(fields[i], 10, 64)
		return time.Duration(n) * (time.Second / 100)
	}
	return tick(11) + tick(12), tick(13) + tick(14), true
}

func parentOf(pid int) int {
	fields := statFields(pid)
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// statFields are the fields of /proc/pid/stat after the command name, which may hold spaces.
func statFields(pid int) []string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	s := string(raw)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}
