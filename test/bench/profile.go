package main

import (
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

// cpuProfile starts this process's CPU profile into path; stop ends it and writes the file.
func cpuProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// profileFor profiles the CPU into cpuPath until d has passed or stop is called, whichever comes
// first, and then writes a heap profile into heapPath: what the live heap holds at that moment.
func profileFor(cpuPath, heapPath string, d time.Duration) (stop func(), err error) {
	stopCPU, err := cpuProfile(cpuPath)
	if err != nil {
		return nil, err
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			stopCPU()
			if h, err := os.Create(heapPath); err == nil {
				_ = pprof.WriteHeapProfile(h)
				h.Close()
			}
		})
	}
	time.AfterFunc(d, stop)
	return stop, nil
}
