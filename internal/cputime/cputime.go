// Package cputime reads the CPU time a process has used: on a machine whose cores a plugin shares
// with an emulator, a CLI and a database, it tells the plugin's cost where wall time does not.
package cputime

import (
	"syscall"
	"time"
)

// Process is the CPU time (user and system) this process has used so far; zero where the system
// cannot tell.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
