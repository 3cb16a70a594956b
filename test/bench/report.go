package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// Targets of issues 5 and 9 for the in-process runs.
const (
	targetRatio        = targetInventoryRatio
	targetThrottledPct = 1.0
	targetPeakRSS      = 150 << 20
)

// result is one run's figures.
type result struct {
	Size Size
	// Inventory is a sync of every table but aws_kms_grant_events: its minimum needs no
	// CloudTrail call, and any LookupEvents is a read the user did not ask for.
	Inventory bool
	Latency   Latency
	// Quotas are the per-second quotas the emulator enforced, per "service:Operation".
	Quotas map[string]float64
	Run    pluginRun
	Min    Minimum
	Stats  []emulator.StatEntry
	// Expected are the rows per table a complete sync writes; PluginCalls the attempts per
	// operation from the plugin's own debug summary.
	Expected    map[string]map[string]int64
	PluginCalls map[string]uint64
	// EmulatorCPU is the emulator process's CPU time during the sync (it shares the machine);
	// EmulatorBuildCPU its CPU time before, building its World.
	EmulatorCPU, EmulatorBuildCPU time.Duration
	Pairs                         int
	Keys                          int
	Grants                        int
}

func (r *result) countWorld(w *emulator.World) {
	r.Pairs = len(w.Regions)
	for _, rd := range w.Regions {
		r.Keys += len(rd.Keys)
		for _, k := range rd.Keys {
			r.Grants += len(k.Grants)
		}
	}
}

// summary is the run's line of the closing table.
func (r result) summary() summaryRow {
	measure := "(1) inventory, in-process"
	if !r.Inventory {
		measure = "every table, in-process"
	}
	lookups, _ := callsOf(r.Stats, "cloudtrail:LookupEvents")
	return summaryRow{Run: r.Size.Name, Measure: measure, Wall: r.wall(), Reference: r.Min.Total().Seconds(),
		RefDesc: "quota minimum", Target: targetRatio, RowsPerSec: r.rowsPerSecond(), PeakRSS: r.Run.PeakRSS,
		Note: fmt.Sprintf("%d LookupEvents; %.2f %% throttled", lookups, r.throttledPct()), RowCheck: r.summaryRowCheck()}
}

func (r result) wall() float64          { return r.Run.Init + r.Run.Sync }
func (r result) ratio() float64         { return r.wall() / r.Min.Total().Seconds() }
func (r result) peakRSSMiB() float64    { return float64(r.Run.PeakRSS) / (1 << 20) }
func (r result) callsPerKey() float64   { return float64(r.calls()) / float64(r.Keys) }
func (r result) rowsPerSecond() float64 { return float64(r.rows()) / r.wall() }

func (r result) calls() (n int64) {
	for _, s := range r.Stats {
		n += s.Calls
	}
	return n
}

func (r result) throttled() (n int64) {
	for _, s := range r.Stats {
		n += s.Throttled
	}
	return n
}

func (r result) throttledPct() float64 {
	return 100 * float64(r.throttled()) / float64(max(1, r.calls()))
}

func (r result) rows() (n int64) {
	for _, v := range r.Run.Rows {
		n += v
	}
	return n
}

// neededCallsTotal sums the calls the data needs, over every operation with a quota.
func (r result) neededCallsTotal() (n int) {
	for _, v := range r.Min.Calls() {
		n += v
	}
	return n
}

func (r result) print(w io.Writer) {
	p := func(label, format string, args ...any) {
		fmt.Fprintf(w, "%-22s "+format+"\n", append([]any{label}, args...)...)
	}
	hot := r.Size.HotKeyGrants
	p("organization", "%d accounts x %d regions = %d pairs, %d keys, %d grants (%d per ordinary key, hot key %d)",
		r.Size.Accounts, len(r.Size.Regions), r.Pairs, r.Keys, r.Grants-hot, r.Size.GrantsPerKey, hot)
	p("wall time", "%.1f s (discovery %.1f s + sync %.1f s)", r.wall(), r.Run.Init, r.Run.Sync)
	s := r.Min.Slowest
	what := "every table"
	if r.Inventory {
		what = "the inventory, KMS and CloudHSMv2 only"
	}
	p("quota-bound minimum", "%.1f s (%s) = discovery %.2f s + slowest pair %s:%s %.1f s", r.Min.Total().Seconds(), what, r.Min.Discovery.Seconds(), s.Account, s.Region, s.Bound().Seconds())
	if s.QuotaOp != "" {
		p("", "that pair: quota %.1f s (%s, %d calls at %g/s), chain %.1f s (%s)", s.QuotaBound.Seconds(), s.QuotaOp, s.Calls[s.QuotaOp], r.Quotas[s.QuotaOp], s.ChainBound.Seconds(), s.ChainDesc)
	} else {
		p("", "that pair: within one second of burst of every quota, chain %.1f s (%s)", s.ChainBound.Seconds(), s.ChainDesc)
	}
	p("ratio wall/minimum", "%.3f (target <= %.1f) %s", r.ratio(), targetRatio, verdict(r.ratio() <= targetRatio))
	p("throttled", "%d of %d calls = %.2f %% (target <= %.0f %%) %s", r.throttled(), r.calls(), r.throttledPct(), targetThrottledPct, verdict(r.throttledPct() <= targetThrottledPct))
	p("calls per key", "%.2f (the data needs %.2f with quota'd operations; all calls counted)", r.callsPerKey(), float64(r.neededCallsTotal())/float64(r.Keys))
	p("rows", "%d in %.1f s = %.0f rows/s; %s", r.rows(), r.wall(), r.rowsPerSecond(), r.rowCheck())
	p("peak RSS (plugin)", "%.1f MiB at %.0f s (target <= %d MiB) %s; live Go heap at most %.1f MiB, goroutines at most %d; CPU %.1f s",
		r.peakRSSMiB(), r.Run.Peaks.RSSAt.Seconds(), targetPeakRSS>>20, verdict(r.Run.PeakRSS <= targetPeakRSS),
		float64(r.Run.Peaks.Heap)/(1<<20), r.Run.Peaks.Goroutines, r.Run.CPU.Seconds())
	p("", "at the peak: %s", r.Run.Peaks.AtPeakRSS)
	p("CPU", "plugin %.1f s = %.0f us a call, %.0f us a row; the emulator beside it %.1f s = %.0f us a call (and %.1f s building its World before)",
		r.Run.CPU.Seconds(), r.Run.CPU.Seconds()*1e6/float64(max(1, r.calls())), r.Run.CPU.Seconds()*1e6/float64(max(1, r.rows())),
		r.EmulatorCPU.Seconds(), r.EmulatorCPU.Seconds()*1e6/float64(max(1, r.calls())), r.EmulatorBuildCPU.Seconds())
	p("pairs finished", "%s", r.pairTimes())
	if r.Run.HotKeyFirst > 0 {
		p("hot key grant rows", "first at %.1f s, last at %.1f s", r.Run.HotKeyFirst, r.Run.HotKeyLast)
	}
	if lookups, _ := callsOf(r.Stats, "cloudtrail:LookupEvents"); r.Inventory {
		p("CloudTrail", "%d LookupEvents calls (the inventory needs none) %s", lookups, verdict(lookups == 0))
	}
	r.printOperations(w)
	fmt.Fprintln(w)
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

const rowsMatch = "every pair's row count matches the emulator's data, table by table"

func (r result) summaryRowCheck() string {
	if check := r.rowCheck(); check != rowsMatch {
		return check
	}
	return rowsMatchPrefix + " the emulator's data, pair by pair and table by table"
}

// rowCheck compares the rows synced per pair and table with what the World holds.
func (r result) rowCheck() string {
	var bad []string
	for pair, tables := range r.Expected {
		for table, want := range tables {
			if got := r.Run.PairRows[pair][table]; got != want {
				bad = append(bad, fmt.Sprintf("%s %s %d of %d", pair, table, got, want))
			}
		}
	}
	if len(bad) == 0 {
		return rowsMatch
	}
	sort.Strings(bad)
	return "ROWS DIFFER: " + strings.Join(bad, ", ")
}

// pairTimes shows when pairs sent their last row: the hot key's pair apart from the rest, to
// show whether one slow pair holds the others back.
func (r result) pairTimes() string {
	hotPair := ""
	if r.Size.HotKeyGrants > 0 {
		hotPair = r.Min.Slowest.Account + ":" + r.Min.Slowest.Region
	}
	var others, bounds []float64
	for pair, t := range r.Run.PairDone {
		if pair != hotPair {
			others = append(others, t)
		}
	}
	for _, p := range r.Min.Pairs {
		if p.Account+":"+p.Region != hotPair {
			bounds = append(bounds, p.Bound().Seconds())
		}
	}
	if len(others) == 0 || len(bounds) == 0 {
		return "none"
	}
	median := func(v []float64) float64 { slices.Sort(v); return v[(len(v)-1)/2] }
	out := fmt.Sprintf("other pairs: median %.1f s (their own minimum: median %.1f s), slowest %.1f s",
		median(others), median(bounds), slices.Max(others))
	if t, ok := r.Run.PairDone[hotPair]; ok {
		out += fmt.Sprintf("; slowest-bound pair %s: grants from %.1f s, done %.1f s", hotPair, r.Run.PairFirstGrant[hotPair], t)
	}
	return out
}

// printOperations lists, per operation, the calls the emulator answered, the plugin's own count
// and what the data needs.
func (r result) printOperations(w io.Writer) {
	type row struct {
		calls, throttled int64
	}
	byOp := map[string]row{}
	for _, s := range r.Stats {
		x := byOp[s.Operation]
		x.calls += s.Calls
		x.throttled += s.Throttled
		byOp[s.Operation] = x
	}
	needed := r.Min.Calls()
	ops := make([]string, 0, len(byOp))
	for op := range byOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Fprintf(w, "  %-34s %9s %9s %9s %9s\n", "operation", "calls", "throttled", "plugin", "needed")
	for _, op := range ops {
		need := "-"
		if n, ok := needed[op]; ok {
			need = fmt.Sprint(n)
		}
		name := op[strings.Index(op, ":")+1:]
		fmt.Fprintf(w, "  %-34s %9d %9d %9d %9s\n", op, byOp[op].calls, byOp[op].throttled, r.PluginCalls[name], need)
	}
}

// pluginCallSummary reads the attempts per operation from the plugin's debug log ("AWS calls"
// lines, keyed "Service.Operation"), keyed here by operation name.
func pluginCallSummary(path string) map[string]uint64 {
	out := map[string]uint64{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e struct {
			Message   string `json:"message"`
			Operation string `json:"operation"`
			Attempts  uint64 `json:"attempts"`
		}
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Message != "AWS calls" {
			continue
		}
		out[e.Operation[strings.LastIndex(e.Operation, ".")+1:]] += e.Attempts
	}
	return out
}

// printMarkdown ends the output with the figures of every run, for docs/performance.md.
func printMarkdown(w io.Writer, results []result) {
	fmt.Fprintln(w, "| run | keys | grants | wall | minimum | ratio | throttled | calls/key | rows/s | peak RSS |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range results {
		fmt.Fprintf(w, "| %s | %d | %d | %.1f s | %.1f s | %.3f | %.2f %% | %.2f | %.0f | %.1f MiB |\n",
			r.Size.Name, r.Keys, r.Grants, r.wall(), r.Min.Total().Seconds(), r.ratio(), r.throttledPct(),
			r.callsPerKey(), r.rowsPerSecond(), r.peakRSSMiB())
	}
}
