package main

import (
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memoryWatch samples the plugin process's Go heap and goroutines while it syncs, so a high peak
// RSS can be told apart: live objects, or many goroutines waiting.
type memoryWatch struct {
	mu             sync.Mutex
	peakHeap       uint64
	peakGoroutines uint64
	// peakRSSAt is when the resident set was largest, since the watch started.
	peakRSS   int64
	peakRSSAt time.Duration
	started   time.Time
	// profilePath, when set, receives a heap profile each time the heap reaches a new peak
	// (at most every two seconds): the profile of the worst moment survives.
	profilePath string
	lastProfile time.Time
	stop        chan struct{}
	done        chan struct{}
}

func watchMemory(every time.Duration, profilePath string) *memoryWatch {
	m := &memoryWatch{profilePath: profilePath, started: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-t.C:
			case <-m.stop:
				return
			}
		}
	}()
	return m
}

var memorySamples = []metrics.Sample{
	{Name: "/gc/heap/live:bytes"},
	{Name: "/sched/goroutines:goroutines"},
}

func (m *memoryWatch) sample() {
	s := make([]metrics.Sample, len(memorySamples))
	copy(s, memorySamples)
	metrics.Read(s)
	heap, goroutines := s[0].Value.Uint64(), s[1].Value.Uint64()
	rss := currentRSS()
	m.mu.Lock()
	defer m.mu.Unlock()
	if rss > m.peakRSS {
		m.peakRSS, m.peakRSSAt = rss, time.Since(m.started)
	}
	m.peakGoroutines = max(m.peakGoroutines, goroutines)
	if heap <= m.peakHeap {
		return
	}
	m.peakHeap = heap
	if m.profilePath != "" && time.Since(m.lastProfile) > 2*time.Second {
		m.lastProfile = time.Now()
		if f, err := os.Create(m.profilePath); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			_ = f.Close()
		}
	}
}

// memoryPeaks are the highest values sampled.
type memoryPeaks struct {
	Heap       uint64        `json:"heap"`
	Goroutines uint64        `json:"goroutines"`
	RSSAt      time.Duration `json:"rssAt"`
}

// Stop ends the sampling and returns the peaks.
func (m *memoryWatch) Stop() memoryPeaks {
	close(m.stop)
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	return memoryPeaks{Heap: m.peakHeap, Goroutines: m.peakGoroutines, RSSAt: m.peakRSSAt}
}

// peakRSS reads the process's resident set high-water mark (VmHWM) from /proc/self/status. It
// belongs to the address space exec created, unlike getrusage's ru_maxrss, which Linux carries
// over from the parent that forked (here the benchmark, holding a World) and so overstates.
func peakRSS() (int64, error) { return procStatus("VmHWM:") }

// currentRSS is the resident set now (VmRSS), 0 when unknown.
func currentRSS() int64 {
	n, _ := procStatus("VmRSS:")
	return n
}

// procStatus reads one "kB" field of /proc/self/status, in bytes.
func procStatus(field string) (int64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}
