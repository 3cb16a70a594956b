package main

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestProcCPUCountsWaitedChildren burns CPU in a child process and checks that the parent's
// count with children grows by at least the child's own CPU time, and its count without does not.
func TestProcCPUCountsWaitedChildren(t *testing.T) {
	self := os.Getpid()
	withBefore, ownBefore := procCPU(self, true), procCPU(self, false)
	cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	child := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if child < 50*time.Millisecond {
		t.Fatalf("the child burned only %s of CPU: too little to tell", child)
	}
	// /proc counts in 10 ms ticks, rusage finer: allow a tenth.
	if got := procCPU(self, true) - withBefore; got < child*9/10 {
		t.Errorf("with children the count grew by %s, want about the child's %s", got, child)
	}
	if got := procCPU(self, false) - ownBefore; got >= child {
		t.Errorf("without children the count grew by %s, as much as the child's %s", got, child)
	}
}
