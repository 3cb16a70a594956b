package main

import (
	"fmt"
	"os"
	"path/filepath"
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
	atPeakRSS memoryClasses
	started   time.Time
	// profilePath, when set, receives a heap profile each time the heap reaches a new peak
	// (at most every two seconds): the profile of the worst moment survives. goroutines.txt
	// beside it does the same for the goroutines.
	profilePath    string
	lastProfile    time.Time
	lastGoroutines time.Time
	stop           chan struct{}
	done           chan struct{}
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
	// The runtime's memory at the resident set's peak, by what it holds.
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/unused:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
	{Name: "/memory/classes/heap/stacks:bytes"},
	{Name: "/memory/classes/total:bytes"},
}

// memoryClasses splits the Go runtime's memory: objects (live or awaiting collection), heap
// spans not in use yet, free pages not returned to the OS, goroutine stacks, and everything.
type memoryClasses struct {
	Objects uint64 `json:"objects"`
	Unused  uint64 `json:"unused"`
	Free    uint64 `json:"free"`
	Stacks  uint64 `json:"stacks"`
	Total   uint64 `json:"total"`
}

func (c memoryClasses) String() string {
	mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
	return fmt.Sprintf("objects %.0f, unused spans %.0f, free pages %.0f, stacks %.0f of %.0f MiB mapped by Go",
		mib(c.Objects), mib(c.Unused), mib(c.Free), mib(c.Stacks), mib(c.Total))
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
		m.atPeakRSS = memoryClasses{Objects: s[2].Value.Uint64(), Unused: s[3].Value.Uint64(), Free: s[4].Value.Uint64(), Stacks: s[5].Value.Uint64(), Total: s[6].Value.Uint64()}
	}
	if goroutines > m.peakGoroutines {
		m.peakGoroutines = goroutines
		m.writeProfile("goroutine", filepath.Join(filepath.Dir(m.profilePath), "goroutines.txt"), 1, &m.lastGoroutines)
	}
	if heap <= m.peakHeap {
		return
	}
	m.peakHeap = heap
	m.writeProfile("heap", m.profilePath, 0, &m.lastProfile)
}

// writeProfile writes the named profile to path when profiles are on, at most every two seconds.
func (m *memoryWatch) writeProfile(name, path string, debug int, last *time.Time) {
	if m.profilePath == "" || time.Since(*last) < 2*time.Second {
		return
	}
	*last = time.Now()
	if f, err := os.Create(path); err == nil {
		_ = pprof.Lookup(name).WriteTo(f, debug)
		_ = f.Close()
	}
}

// memoryPeaks are the highest values sampled.
type memoryPeaks struct {
	Heap       uint64        `json:"heap"`
	Goroutines uint64        `json:"goroutines"`
	RSSAt      time.Duration `json:"rssAt"`
	AtPeakRSS  memoryClasses `json:"atPeakRss"`
}

// Stop ends the sampling and returns the peaks.
func (m *memoryWatch) Stop() memoryPeaks {
	close(m.stop)
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	return memoryPeaks{Heap: m.peakHeap, Goroutines: m.peakGoroutines, RSSAt: m.peakRSSAt, AtPeakRSS: m.atPeakRSS}
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
