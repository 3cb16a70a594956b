// Command bench measures syncs against the AWS emulator with AWS's real request quotas and
// compares each with a reference measured or computed in the same run: the minimum the quotas and
// latency allow for the work the user asked for (computed from the emulator's data), or the time
// the CloudQuery CLI and the destination need for the same rows. See docs/performance.md.
//
//	go run ./test/bench                                  # every run, full size
//	go run ./test/bench -scale 0.05                      # every run, a few minutes
//	go run ./test/bench -runs inventory -grants 1        # one run
//
// The inventory runs the plugin in a process of its own (in-process Plugin.Sync, rows counted and
// dropped); the other runs go through bin/cloudquery into PostgreSQL (test/pgtest, test/pgdest),
// with this executable serving the plugins under their names. The emulator always runs in a
// process of its own, so the plugin process's peak RSS holds the plugin only.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// benchTables are the tables the benchmark syncs: the KMS inventory of issue 5 (keys with their
// child tables, aliases, grant events) and CloudHSMv2, whose minimums it computes; the access
// evaluation's IAM and Organizations inputs and the RAM tables are left out.
var benchTables = []string{"aws_kms_keys", "aws_kms_key_grants", "aws_kms_key_policies", "aws_kms_key_policy_statements",
	"aws_kms_key_rotations", "aws_kms_aliases", "aws_kms_grant_events", "aws_cloudhsmv2_*"}

// Child roles: the benchmark starts copies of itself as the emulator and as the plugin.
const (
	roleEmulator = "-serve-emulator"
	rolePlugin   = "-run-plugin"
)

func main() {
	if serve, ok := servedRole(); ok {
		if err := serve(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
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
	if err := benchmark(os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the benchmark's flags.
type options struct {
	runs          map[string]bool
	scale         float64
	base          Size
	grantFactors  []int
	busy          Size
	wideAccounts  []int
	wide          Size
	latency       Latency
	lookupQuota   float64
	outDir        string
	timeout       time.Duration
	markdownTable bool
	profiles      bool
}

// The runs, each selectable with -runs.
const (
	runInventory  = "inventory"  // (1) every table but aws_kms_grant_events, in-process
	runEvents     = "events"     // (2) first full sync on a busy CloudTrail, (3) the scheduled sync after it
	runThroughput = "throughput" // (4) rows/s of grant and event rows through the CLI into PostgreSQL
	runWide       = "wide"       // (5) wide organizations, against the quota minimum and the CLI's floor
)

var allRuns = []string{runInventory, runEvents, runThroughput, runWide}

func parseOptions(args []string) (options, error) {
	o := options{base: baseSize(), busy: busySize(), wide: wideSize()}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	runs := fs.String("runs", strings.Join(allRuns, ","), "comma-separated runs: inventory (in-process), events, throughput, wide (these three through bin/cloudquery into PostgreSQL)")
	fs.Float64Var(&o.scale, "scale", 1, "multiplies keys, grants, retired grants and the wide organizations' accounts: 0.05 gives a run of a few minutes")
	fs.IntVar(&o.base.Accounts, "accounts", o.base.Accounts, "inventory: accounts in the organization (management included)")
	fs.IntVar(&o.base.KeysPerRegion, "keys", o.base.KeysPerRegion, "inventory: plain keys per account and region (besides the emulator's catalogue of key kinds)")
	fs.IntVar(&o.base.HotKeyGrants, "hot", o.base.HotKeyGrants, "inventory and throughput: grants on the hot key (at most 50,000)")
	regions := fs.String("regions", strings.Join(o.base.Regions, ","), "inventory: regions enabled in every account")
	factors := fs.String("grants", "1,10", "inventory: comma-separated multiples of the ordinary keys' grants (1-5 per key), one run each")
	fs.IntVar(&o.busy.RetiredGrants, "retired", o.busy.RetiredGrants, "events and throughput: grants created and retired inside the window per account-region (a busy CloudTrail)")
	wide := fs.String("wide", "300,30", "wide: comma-separated account counts, each x 6 regions x 10 keys")
	fs.DurationVar(&o.latency.Fixed, "latency", 15*time.Millisecond, "fixed part of every call's latency")
	fs.DurationVar(&o.latency.Jitter, "jitter", 10*time.Millisecond, "uniform extra latency in [0, jitter)")
	fs.Float64Var(&o.lookupQuota, "lookup-events-quota", 0, "inventory, events and wide: CloudTrail LookupEvents calls per second, on both sides (0: AWS's 2/s)")
	fs.StringVar(&o.outDir, "out", "", "directory for the configs and logs (default: a new temporary directory; PostgreSQL gets one of its own)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "give up on a run after this long")
	fs.BoolVar(&o.markdownTable, "markdown", true, "end with a Markdown table of the figures")
	fs.BoolVar(&o.profiles, "profile", false, "inventory: write the plugin's CPU profile (cpu.pprof) and its heap profile near the peak (heap.pprof) in each run's directory")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.runs = map[string]bool{}
	for _, r := range strings.Split(*runs, ",") {
		r = strings.TrimSpace(r)
		if !slices.Contains(allRuns, r) {
			return o, fmt.Errorf("-runs: %q is not one of %s", r, strings.Join(allRuns, ", "))
		}
		o.runs[r] = true
	}
	if o.scale <= 0 || o.scale > 10 {
		return o, fmt.Errorf("-scale: %g must be in (0, 10]", o.scale)
	}
	o.base.Regions = strings.Split(*regions, ",")
	for _, f := range strings.Split(*factors, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return o, fmt.Errorf("-grants: %q is not a positive integer", f)
		}
		o.grantFactors = append(o.grantFactors, n)
	}
	for _, f := range strings.Split(*wide, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return o, fmt.Errorf("-wide: %q is not a positive number of accounts", f)
		}
		o.wideAccounts = append(o.wideAccounts, n)
	}
	o.base = o.base.scaled(o.scale)
	o.busy = o.busy.scaled(o.scale)
	o.busy.HotKeyGrants = o.base.HotKeyGrants
	if o.outDir == "" {
		dir, err := os.MkdirTemp("", "awskms-bench-")
		if err != nil {
			return o, err
		}
		o.outDir = dir
	}
	return o, nil
}

// quotas are AWS's documented quotas, with LookupEvents overridden by -lookup-events-quota.
func (o options) quotas() map[string]float64 {
	q := emulator.DocumentedQuotas()
	if o.lookupQuota > 0 {
		q["cloudtrail:LookupEvents"] = o.lookupQuota
	}
	return q
}

func benchmark(args []string) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	quotas := o.quotas()
	fmt.Printf("latency %v + [0, %v) per call, AWS quotas (LookupEvents %g/s), scale %g, runs %s, logs in %s\n\n",
		o.latency.Fixed, o.latency.Jitter, quotas["cloudtrail:LookupEvents"], o.scale, strings.Join(selected(o.runs), ","), o.outDir)
	var summary []summaryRow
	var results []result
	if o.runs[runInventory] {
		for _, factor := range o.grantFactors {
			size := o.base.scaledGrants(factor)
			dir := fmt.Sprintf("%s/inventory-x%d", o.outDir, factor)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			r, err := runSize(o, size, quotas, dir, false)
			if err != nil {
				return fmt.Errorf("%s: %w", size.Name, err)
			}
			r.print(os.Stdout)
			results = append(results, r)
			summary = append(summary, r.summary())
		}
	}
	if o.runs[runEvents] || o.runs[runThroughput] || o.runs[runWide] {
		cli, err := startCLIBench(o.outDir)
		if err != nil {
			return err
		}
		defer cli.Stop()
		if o.runs[runEvents] {
			rows, err := runBusyTrail(o, cli, quotas)
			if err != nil {
				return fmt.Errorf("events: %w", err)
			}
			summary = append(summary, rows...)
		}
		if o.runs[runThroughput] {
			rows, err := runThroughputBench(o, cli)
			if err != nil {
				return fmt.Errorf("throughput: %w", err)
			}
			summary = append(summary, rows...)
		}
		if o.runs[runWide] {
			for _, accounts := range o.wideAccounts {
				rows, err := runWideOrg(o, cli, accounts)
				if err != nil {
					return fmt.Errorf("wide %d accounts: %w", accounts, err)
				}
				summary = append(summary, rows...)
			}
		}
	}
	if o.markdownTable {
		if len(results) > 0 {
			printMarkdown(os.Stdout, results)
			fmt.Println()
		}
		printSummary(os.Stdout, summary)
	}
	return nil
}

func selected(runs map[string]bool) []string {
	var out []string
	for _, r := range allRuns {
		if runs[r] {
			out = append(out, r)
		}
	}
	return out
}

// runSize runs one in-process sync of one organization and gathers every figure of it: every
// table when withEvents, else the inventory (aws_kms_grant_events skipped, no CloudTrail needed).
func runSize(o options, size Size, quotas map[string]float64, dir string, withEvents bool) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	now := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	cfg := emulatorConfig(size, o.latency, quotas, now)
	emu, err := startEmulator(ctx, dir, cfg)
	if err != nil {
		return result{}, err
	}
	defer emu.Stop()
	// Building the World is done before the sync starts: it takes nothing from the plugin.
	emuBuildCPU := emu.CPU()
	// The same config gives the same World: this process's copy is for counting only.
	w := emulator.NewWorld(cfg)
	hotKeyARN := hotKeyARN(w)

	rawSpec, err := json.Marshal(pluginSpec(cfg, emu.URL, quotas))
	if err != nil {
		return result{}, err
	}
	akid, secret := emulator.AccessKeyFor(w.ManagementAccount)
	fmt.Printf("== %s: syncing (plugin log: %s/plugin.log) ...\n", size.Name, dir)
	job := syncJob{Spec: rawSpec, HotKeyARN: hotKeyARN, LogPath: dir + "/plugin.log"}
	if !withEvents {
		job.SkipTables = []string{eventsTable}
	}
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
	emuCPU := emu.CPU()
	var events *eventWindow
	if withEvents {
		events = &eventWindow{Since: run.Start.AddDate(0, 0, -90), Until: run.Start.Add(time.Duration((run.Init + run.Sync) * float64(time.Second)))}
	}
	r := result{
		Size:             size,
		Inventory:        !withEvents,
		Run:              run,
		Stats:            stats,
		Min:              quotaBoundMinimum(w, o.latency, quotas, events),
		Expected:         expectedRows(w, events),
		PluginCalls:      pluginCallSummary(dir + "/plugin.log"),
		Latency:          o.latency,
		Quotas:           quotas,
		EmulatorCPU:      emuCPU - emuBuildCPU,
		EmulatorBuildCPU: emuBuildCPU,
	}
	r.countWorld(w)
	return r, nil
}

const eventsTable = "aws_kms_grant_events"

// pluginSpec is the awskms spec for the emulator at url: every region of every account, and the
// quotas the emulator enforces where they differ from AWS's documented ones.
func pluginSpec(cfg emulator.Config, url string, quotas map[string]float64) map[string]any {
	spec := map[string]any{
		"regions":             []string{"*"},
		"org":                 map[string]any{"member_role_name": cfg.MemberRoleName},
		"custom_endpoint_url": url,
	}
	documented := emulator.DocumentedQuotas()
	overrides := map[string]float64{}
	for op, q := range quotas {
		if q != documented[op] {
			overrides[op[strings.Index(op, ":")+1:]] = q
		}
	}
	if len(overrides) > 0 {
		spec["rate_limits"] = overrides
	}
	return spec
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
