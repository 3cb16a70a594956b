// Command bench measures a full sync against the AWS emulator with AWS's real request quotas and
// compares it with the quota-bound minimum computed from the emulator's data (issue 5):
//
//	go run ./test/bench                    # issue 5's organization, then 10x the grants
//	go run ./test/bench -grants 1 -hot 5000 -accounts 3 -keys 50   # a quick look
//
// Three processes take part: this one (it builds the same World as the emulator, from the same
// config, to compute the minimum and the expected rows), the emulator, and the plugin, run
// in-process with every row consumed and discarded as it arrives. The plugin process's peak RSS
// is what the kernel reports for it, so the emulator's World is not in it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// Child roles: the benchmark starts copies of itself as the emulator and as the plugin.
const (
	roleEmulator = "-serve-emulator"
	rolePlugin   = "-run-plugin"
)

func main() {
	if len(os.Args) == 3 && (os.Args[1] == roleEmulator || os.Args[1] == rolePlugin) {
		run := serveEmulator
		if os.Args[1] == rolePlugin {
			run = runPluginJob
		}
		if err := run(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := benchmark(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the benchmark's flags.
type options struct {
	base          Size
	grantFactors  []int
	latency       Latency
	lookupQuota   float64
	outDir        string
	timeout       time.Duration
	markdownTable bool
	profiles      bool
}

func parseOptions(args []string) (options, error) {
	o := options{base: baseSize()}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&o.base.Accounts, "accounts", o.base.Accounts, "accounts in the organization (management included)")
	fs.IntVar(&o.base.KeysPerRegion, "keys", o.base.KeysPerRegion, "plain keys per account and region (besides the emulator's catalogue of key kinds)")
	fs.IntVar(&o.base.HotKeyGrants, "hot", o.base.HotKeyGrants, "grants on the hot key (at most 50,000)")
	regions := fs.String("regions", strings.Join(o.base.Regions, ","), "regions enabled in every account")
	factors := fs.String("grants", "1,10", "comma-separated multiples of the ordinary keys' grants (1-5 per key), one run each")
	fs.DurationVar(&o.latency.Fixed, "latency", 15*time.Millisecond, "fixed part of every call's latency")
	fs.DurationVar(&o.latency.Jitter, "jitter", 10*time.Millisecond, "uniform extra latency in [0, jitter)")
	fs.Float64Var(&o.lookupQuota, "lookup-events-quota", 0, "CloudTrail LookupEvents calls per second, on both sides (0: AWS's 2/s); raise it to see the KMS-bound part")
	fs.StringVar(&o.outDir, "out", "", "directory for the configs and plugin logs (default: a new temporary directory)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "give up on a run after this long")
	fs.BoolVar(&o.markdownTable, "markdown", true, "end with a Markdown table of the figures")
	fs.BoolVar(&o.profiles, "profile", false, "write the plugin's CPU profile (cpu.pprof) and its heap profile near the peak (heap.pprof) in each run's directory")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.base.Regions = strings.Split(*regions, ",")
	for _, f := range strings.Split(*factors, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return o, fmt.Errorf("-grants: %q is not a positive integer", f)
		}
		o.grantFactors = append(o.grantFactors, n)
	}
	if o.outDir == "" {
		dir, err := os.MkdirTemp("", "awskms-bench-")
		if err != nil {
			return o, err
		}
		o.outDir = dir
	}
	return o, nil
}

func benchmark(args []string) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	quotas := map[string]float64{}
	for op, q := range awsQuotas {
		quotas[op] = q
	}
	if o.lookupQuota > 0 {
		quotas["cloudtrail:LookupEvents"] = o.lookupQuota
	}
	fmt.Printf("latency %v + [0, %v) per call, AWS quotas (LookupEvents %g/s), logs in %s\n\n", o.latency.Fixed, o.latency.Jitter, quotas["cloudtrail:LookupEvents"], o.outDir)
	var results []result
	for _, factor := range o.grantFactors {
		size := o.base.scaledGrants(factor)
		dir := fmt.Sprintf("%s/grants-x%d", o.outDir, factor)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		r, err := runSize(o, size, quotas, dir)
		if err != nil {
			return fmt.Errorf("%s: %w", size.Name, err)
		}
		r.print(os.Stdout)
		results = append(results, r)
	}
	if o.markdownTable {
		printMarkdown(os.Stdout, results)
	}
	return nil
}

// runSize runs one sync of one organization and gathers every figure of it.
func runSize(o options, size Size, quotas map[string]float64, dir string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	now := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	cfg := emulatorConfig(size, o.latency, quotas, now)
	emu, err := startEmulator(ctx, dir, cfg)
	if err != nil {
		return result{}, err
	}
	defer emu.Stop()
	// The same config gives the same World: this process's copy is for counting only.
	w := emulator.NewWorld(cfg)
	hotKeyARN := hotKeyARN(w)

	spec := map[string]any{
		"regions":             []string{"*"},
		"org":                 map[string]any{"member_role_name": cfg.MemberRoleName},
		"custom_endpoint_url": emu.URL,
	}
	if o.lookupQuota > 0 {
		spec["rate_limits"] = map[string]float64{"LookupEvents": o.lookupQuota}
	}
	rawSpec, err := json.Marshal(spec)
	if err != nil {
		return result{}, err
	}
	akid, secret := emulator.AccessKeyFor(w.ManagementAccount)
	fmt.Printf("== %s: syncing (plugin log: %s/plugin.log) ...\n", size.Name, dir)
	job := syncJob{Spec: rawSpec, HotKeyARN: hotKeyARN, LogPath: dir + "/plugin.log"}
	if o.profiles {
		job.HeapProfile, job.CPUProfile = dir+"/heap.pprof", dir+"/cpu.pprof"
	}
	run, err := runPlugin(ctx, dir, job, akid, secret)
	if err != nil {
		return result{}, err
	}
	stats, err := emu.Stats(ctx)
	if err != nil {
		return result{}, err
	}
	eventsUntil := run.Start.Add(time.Duration((run.Init + run.Sync) * float64(time.Second)))
	eventsSince := run.Start.AddDate(0, 0, -90)
	r := result{
		Size:        size,
		Run:         run,
		Stats:       stats,
		Min:         quotaBoundMinimum(w, o.latency, quotas, eventsSince, eventsUntil),
		Expected:    expectedRows(w, eventsSince, eventsUntil),
		PluginCalls: pluginCallSummary(dir + "/plugin.log"),
		Latency:     o.latency,
		Quotas:      quotas,
	}
	r.countWorld(w)
	return r, nil
}

func hotKeyARN(w *emulator.World) string {
	if w.HotKey == nil {
		return ""
	}
	for _, k := range w.Region(w.HotKey.Account, w.HotKey.Region).Keys {
		if k.ID() == w.HotKey.KeyID {
			return k.ARN()
		}
	}
	return ""
}
