package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

// Targets of issues 9 and 13.
const (
	targetInventoryRatio = 1.2  // inventory wall / its KMS and CloudHSMv2 minimum
	targetEventsRatio    = 1.3  // first sync with events / its CloudTrail-bound minimum
	targetScheduledRatio = 1.2  // scheduled sync / (the inventory's minimum + the CLI's own time)
	targetLookupsPerName = 2    // LookupEvents pages per event name per account-region, nothing new
	targetRowsPerSecond  = 2000 // grant and event rows through the CLI into PostgreSQL
	targetWideRatio      = 1.5  // wide wall / max(quota minimum, CLI-and-destination floor)
	targetWidePeakRSS    = 200 << 20
)

// summaryRow is one line of the closing table: a wall time against the reference it is held to.
type summaryRow struct {
	Run, Measure string
	Wall         float64
	// Reference is the time the wall is compared with; RefDesc says what it is.
	Reference  float64
	RefDesc    string
	Target     float64
	RowsPerSec float64
	PeakRSS    int64
	Note       string
	// RowCheck says whether the rows synced match the emulator's data, table by table.
	RowCheck string
}

func (s summaryRow) ratio() float64 { return s.Wall / s.Reference }

func (s summaryRow) rowsMatch() bool { return strings.HasPrefix(s.RowCheck, rowsMatchPrefix) }

// orgRun is one organization served by an emulator process, with what the benchmark needs of the
// same World, built here from the same config and dropped once counted (a busy trail's World is
// hundreds of MB).
type orgRun struct {
	size Size
	cfg  emulator.Config
	emu  *emulatorProcess
	env  []string
	// minInventory and minEvents are the quota-and-latency minimums without and with
	// aws_kms_grant_events; wantInventory and wantEvents the rows per table of each.
	minInventory, minEvents   Minimum
	wantInventory, wantEvents map[string]int64
	pairs, liveGrants         int
	retireEvents              int
}

func startOrg(ctx context.Context, o options, size Size, quotas map[string]float64, dir string) (*orgRun, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfg := emulatorConfig(size, o.latency, quotas, time.Now().UTC().Add(-time.Hour).Truncate(time.Second))
	emu, err := startEmulator(ctx, dir, cfg)
	if err != nil {
		return nil, err
	}
	w := emulator.NewWorld(cfg)
	akid, secret := emulator.AccessKeyFor(w.ManagementAccount)
	env := []string{
		"AWS_ACCESS_KEY_ID=" + akid, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_SESSION_TOKEN=", "AWS_PROFILE=",
		"AWS_REGION=", "AWS_ENDPOINT_URL=", "AWS_CONFIG_FILE=" + dir + "/aws-config",
		"AWS_SHARED_CREDENTIALS_FILE=" + dir + "/aws-credentials", "AWS_EC2_METADATA_DISABLED=true",
	}
	// The sync about to start reads the 90 days before it; the World's events all lie between
	// 89 days before its Now (an hour ago) and that Now, so this window holds the same events.
	window := &eventWindow{Since: time.Now().AddDate(0, 0, -90), Until: time.Now().Add(time.Hour)}
	org := &orgRun{
		size: size, cfg: cfg, emu: emu, env: env,
		minInventory:  quotaBoundMinimum(w, o.latency, quotas, nil),
		minEvents:     quotaBoundMinimum(w, o.latency, quotas, window),
		wantInventory: totalRows(expectedRows(w, nil)),
		wantEvents:    totalRows(expectedRows(w, window)),
		pairs:         len(w.Regions),
	}
	for _, rd := range w.Regions {
		for _, k := range rd.Keys {
			org.liveGrants += len(k.Grants)
		}
		for _, ev := range rd.Events {
			if ev.Record.EventName == "RetireGrant" {
				org.retireEvents++
			}
		}
	}
	debug.FreeOSMemory() // w is dead here: only the figures above stay

	return org, nil
}

// callsOf sums the emulator's calls and throttles of one operation ("" for all).
func callsOf(stats []emulator.StatEntry, op string) (calls, throttled int64) {
	for _, s := range stats {
		if op == "" || s.Operation == op {
			calls += s.Calls
			throttled += s.Throttled
		}
	}
	return calls, throttled
}

const rowsMatchPrefix = "rows match"

// maxLookupsPerName is the most LookupEvents calls one account-region made between two readings of
// the emulator's counters, per grant event name the plugin reads.
func maxLookupsPerName(before, after []emulator.StatEntry) float64 {
	calls := map[emulator.StatKey]int64{}
	for _, s := range after {
		if s.Operation == "cloudtrail:LookupEvents" {
			calls[s.StatKey] += s.Calls
		}
	}
	for _, s := range before {
		if s.Operation == "cloudtrail:LookupEvents" {
			calls[s.StatKey] -= s.Calls
		}
	}
	most := int64(0)
	for _, n := range calls {
		most = max(most, n)
	}
	return float64(most) / float64(len(grantEventNames))
}

// checkRows compares the rows in PostgreSQL with the World's, table by table.
func checkRows(got, want map[string]int64) string {
	var bad []string
	for t, n := range want {
		if got[t] != n {
			bad = append(bad, fmt.Sprintf("%s %d of %d", t, got[t], n))
		}
	}
	for t, n := range got {
		if _, ok := want[t]; !ok {
			bad = append(bad, fmt.Sprintf("%s %d of 0", t, n))
		}
	}
	if len(bad) == 0 {
		return rowsMatchPrefix + " the emulator's data, table by table"
	}
	slices.Sort(bad)
	return "ROWS DIFFER: " + strings.Join(bad, ", ")
}

func line(w io.Writer, label, format string, args ...any) {
	fmt.Fprintf(w, "%-24s "+format+"\n", append([]any{label}, args...)...)
}

// runBusyTrail is (2) and (3): the first full sync with events on a busy CloudTrail, through the
// CLI with the state backend, then a second, scheduled sync of the unchanged organization.
func runBusyTrail(o options, cli *cliBench, quotas map[string]float64) ([]summaryRow, error) {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	dir := filepath.Join(o.outDir, "events")
	org, err := startOrg(ctx, o, o.busy, quotas, dir)
	if err != nil {
		return nil, err
	}
	defer org.emu.Stop()
	dsn, err := cli.newDatabase(ctx, "events")
	if err != nil {
		return nil, err
	}
	sync := cliSync{Source: binSource, Spec: pluginSpec(org.cfg, org.emu.URL, quotas), State: true, DSN: dsn, Env: org.env}
	fmt.Printf("== events: first sync of a busy CloudTrail through the CLI (%s) ...\n", dir)
	first, err := cli.run(ctx, filepath.Join(dir, "first"), sync)
	if err != nil {
		return nil, err
	}
	afterFirst, err := org.emu.Stats(ctx)
	if err != nil {
		return nil, err
	}
	minFirst, minInventory, want := org.minEvents, org.minInventory, org.wantEvents

	fmt.Printf("== events: second, scheduled sync, nothing new (%s) ...\n", dir)
	second, err := cli.run(ctx, filepath.Join(dir, "second"), sync)
	if err != nil {
		return nil, err
	}
	afterSecond, err := org.emu.Stats(ctx)
	if err != nil {
		return nil, err
	}
	// The second sync writes the inventory's rows again: the CLI and the destination need their
	// own time for them, measured here with the floor source.
	floorDSN, err := cli.newDatabase(ctx, "events_floor")
	if err != nil {
		return nil, err
	}
	floor, _, err := cli.runFloor(ctx, filepath.Join(dir, "floor"), org.wantInventory, floorDSN, nil)
	if err != nil {
		return nil, err
	}
	// The scheduled sync is held to the inventory's minimum plus the CLI's own time.
	cliFixed, err := cli.runCLIFixed(ctx, filepath.Join(dir, "cli-fixed"), org.wantInventory, floorDSN, nil)
	if err != nil {
		return nil, err
	}
	scheduledRef := minInventory.Total().Seconds() + cliFixed
	lookups1, throttled1 := callsOf(afterFirst, "cloudtrail:LookupEvents")
	lookups2, _ := callsOf(afterSecond, "cloudtrail:LookupEvents")
	lookups2 -= lookups1
	perName := maxLookupsPerName(afterFirst, afterSecond)

	w := os.Stdout
	s := org.size
	line(w, "organization", "%d accounts x %d regions = %d pairs, %d live grants, %d grants created and retired per pair (%d RetireGrant events in all)",
		s.Accounts, len(s.Regions), org.pairs, org.liveGrants, s.RetiredGrants, org.retireEvents)
	line(w, "first sync (2)", "%.1f s against its minimum %.1f s (%s): ratio %.3f (target <= %.1f) %s",
		first.Wall, minFirst.Total().Seconds(), minimumDesc(minFirst, quotas), first.Wall/minFirst.Total().Seconds(), targetEventsRatio,
		verdict(first.Wall/minFirst.Total().Seconds() <= targetEventsRatio))
	line(w, "", "%d LookupEvents calls (%d throttled; the data needs %d); %d rows = %.0f rows/s; plugin peak RSS %.1f MiB, CPU %.1f s; %s",
		lookups1, throttled1, minFirst.Calls()["cloudtrail:LookupEvents"], first.rows(), first.rowsPerSecond(), mib(first.PeakRSS), first.CPU, checkRows(first.Rows, want))
	line(w, "scheduled sync (3)", "%.1f s against the inventory's minimum %.1f s plus the CLI's own %.1f s (a sync of the same tables and no rows): ratio %.3f (target <= %.1f) %s",
		second.Wall, minInventory.Total().Seconds(), cliFixed, second.Wall/scheduledRef, targetScheduledRatio,
		verdict(second.Wall/scheduledRef <= targetScheduledRatio))
	line(w, "", "against the inventory's minimum alone: ratio %.3f", second.Wall/minInventory.Total().Seconds())
	line(w, "", "%d LookupEvents calls, at most %.2f per event name in one account-region (target <= %d) %s; %s",
		lookups2, perName, targetLookupsPerName, verdict(perName <= targetLookupsPerName), checkRows(second.Rows, want))
	line(w, "", "the CLI and the destination alone need %.1f s for the same rows (floor source): ratio %.3f against the larger of the two",
		floor, second.Wall/max(floor, minInventory.Total().Seconds()))
	fmt.Fprintln(w)
	return []summaryRow{
		{Run: "events", Measure: "(2) first sync, busy CloudTrail", Wall: first.Wall, Reference: minFirst.Total().Seconds(),
			RefDesc: "CloudTrail-bound minimum", Target: targetEventsRatio, RowsPerSec: first.rowsPerSecond(), PeakRSS: first.PeakRSS,
			Note: fmt.Sprintf("%d LookupEvents", lookups1), RowCheck: checkRows(first.Rows, want)},
		{Run: "events", Measure: "(3) scheduled sync, state backend", Wall: second.Wall, Reference: scheduledRef,
			RefDesc: fmt.Sprintf("inventory minimum %.1f s + CLI's own %.1f s", minInventory.Total().Seconds(), cliFixed), Target: targetScheduledRatio, PeakRSS: second.PeakRSS,
			Note:     fmt.Sprintf("%d LookupEvents, at most %.2f per name per pair (<= %d %s); CLI floor %.1f s", lookups2, perName, targetLookupsPerName, verdict(perName <= targetLookupsPerName), floor),
			RowCheck: checkRows(second.Rows, want)},
	}, nil
}

// runThroughputBench is (4): grant and event rows through the CLI into PostgreSQL where AWS is not
// the bound: the busy organization with the hot key, LookupEvents at 1,000/s on both sides.
func runThroughputBench(o options, cli *cliBench) ([]summaryRow, error) {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	quotas := emulator.DocumentedQuotas()
	quotas["cloudtrail:LookupEvents"] = 1000
	size := o.busy
	size.Name, size.HotKeyGrants = "throughput", o.base.HotKeyGrants
	dir := filepath.Join(o.outDir, "throughput")
	org, err := startOrg(ctx, o, size, quotas, dir)
	if err != nil {
		return nil, err
	}
	defer org.emu.Stop()
	dsn, err := cli.newDatabase(ctx, "throughput")
	if err != nil {
		return nil, err
	}
	fmt.Printf("== throughput: grant and event rows through the CLI into PostgreSQL (%s) ...\n", dir)
	res, err := cli.run(ctx, filepath.Join(dir, "sync"), cliSync{Source: binSource, Spec: pluginSpec(org.cfg, org.emu.URL, quotas), DSN: dsn, Env: org.env})
	if err != nil {
		return nil, err
	}
	m := org.minEvents
	grants, events := res.Rows[grantsTable], res.Rows[eventsTable]
	w := os.Stdout
	line(w, "organization", "%d accounts x %d regions, hot key %d grants, %d grants created and retired per pair; LookupEvents 1000/s",
		size.Accounts, len(size.Regions), size.HotKeyGrants, size.RetiredGrants)
	line(w, "rows (4)", "%d in %.1f s = %.0f rows/s (target >= %d) %s: %d grant rows, %d event rows, %d others",
		res.rows(), res.Wall, res.rowsPerSecond(), targetRowsPerSecond, verdict(res.rowsPerSecond() >= targetRowsPerSecond),
		grants, events, res.rows()-grants-events)
	line(w, "", "the quotas and latency allow it in %.1f s (%s); plugin peak RSS %.1f MiB, CPU %.1f s = %.0f us per row; %s",
		m.Total().Seconds(), minimumDesc(m, quotas), mib(res.PeakRSS), res.CPU, res.cpuPerRow(), checkRows(res.Rows, org.wantEvents))
	fmt.Fprintln(w)
	return []summaryRow{{Run: "throughput", Measure: "(4) grant and event rows, CLI into PostgreSQL", Wall: res.Wall,
		Reference: m.Total().Seconds(), RefDesc: "quota minimum", RowsPerSec: res.rowsPerSecond(), PeakRSS: res.PeakRSS,
		Note:     fmt.Sprintf("%d grant + %d event rows; >= %d rows/s %s; plugin CPU %.0f us/row", grants, events, targetRowsPerSecond, verdict(res.rowsPerSecond() >= targetRowsPerSecond), res.cpuPerRow()),
		RowCheck: checkRows(res.Rows, org.wantEvents)}}, nil
}

// runWideOrg is (5), issue 13: accounts x 6 regions x 10 keys, the inventory through the CLI into
// PostgreSQL, against the larger of its quota minimum and the floor: the same rows from a source
// without AWS (floor.go), through the same CLI and destination, in the same run.
func runWideOrg(o options, cli *cliBench, accounts int) ([]summaryRow, error) {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	quotas := o.quotas()
	size := o.wide
	size.Accounts = max(2, int(float64(accounts)*o.scale))
	size.Name = fmt.Sprintf("wide %d x %d x %d", size.Accounts, len(size.Regions), size.KeysPerRegion)
	dir := filepath.Join(o.outDir, fmt.Sprintf("wide-%d", size.Accounts))
	org, err := startOrg(ctx, o, size, quotas, dir)
	if err != nil {
		return nil, err
	}
	defer org.emu.Stop()
	dsn, err := cli.newDatabase(ctx, fmt.Sprintf("wide_%d", size.Accounts))
	if err != nil {
		return nil, err
	}
	fmt.Printf("== %s: inventory through the CLI (%s) ...\n", size.Name, dir)
	emuBefore := org.emu.CPU()
	res, err := cli.run(ctx, filepath.Join(dir, "sync"), cliSync{Source: binSource, Spec: pluginSpec(org.cfg, org.emu.URL, quotas),
		SkipTables: []string{eventsTable}, DSN: dsn, Env: org.env})
	if err != nil {
		return nil, err
	}
	emuCPU := (org.emu.CPU() - emuBefore).Seconds()
	stats, err := org.emu.Stats(ctx)
	if err != nil {
		return nil, err
	}
	m, want := org.minInventory, org.wantInventory

	fmt.Printf("== %s: the same rows from the floor source ...\n", size.Name)
	floorDSN, err := cli.newDatabase(ctx, fmt.Sprintf("wide_%d_floor", size.Accounts))
	if err != nil {
		return nil, err
	}
	floorWall, floorRes, err := cli.runFloor(ctx, filepath.Join(dir, "floor"), want, floorDSN, []string{eventsTable})
	if err != nil {
		return nil, err
	}
	cliFixed, err := cli.runCLIFixed(ctx, filepath.Join(dir, "cli-fixed"), want, floorDSN, []string{eventsTable})
	if err != nil {
		return nil, err
	}
	ref, refDesc := m.Total().Seconds(), "quota minimum"
	if floorWall > ref {
		ref, refDesc = floorWall, "CLI floor"
	}
	calls, throttled := callsOf(stats, "")
	w := os.Stdout
	line(w, "organization", "%d accounts x %d regions = %d pairs, %d keys per region besides the catalogue; %d rows",
		size.Accounts, len(size.Regions), org.pairs, size.KeysPerRegion, res.rows())
	line(w, "wall time (5)", "%.1f s = %.0f rows/s; %s", res.Wall, res.rowsPerSecond(), checkRows(res.Rows, want))
	line(w, "references", "quota minimum %.1f s (%s); CLI floor %.1f s", m.Total().Seconds(), minimumDesc(m, quotas), floorWall)
	line(w, "ratio", "%.3f against the %s (target <= %.1f) %s", res.Wall/ref, refDesc, targetWideRatio, verdict(res.Wall/ref <= targetWideRatio))
	line(w, "plugin", "peak RSS %.1f MiB (target <= %d MiB) %s; CPU %.1f s = %.0f us per row",
		mib(res.PeakRSS), targetWidePeakRSS>>20, verdict(res.PeakRSS <= targetWidePeakRSS), res.CPU, res.cpuPerRow())
	line(w, "calls", "%d, %d throttled", calls, throttled)
	printCPUAccount(w, res, floorRes, emuCPU, calls, targetWideRatio*ref, cliFixed)
	fmt.Fprintln(w)
	return []summaryRow{{Run: size.Name, Measure: "(5) inventory, CLI into PostgreSQL", Wall: res.Wall, Reference: ref,
		RefDesc: fmt.Sprintf("%s (quota %.1f s, floor %.1f s)", refDesc, m.Total().Seconds(), floorWall), Target: targetWideRatio,
		RowsPerSec: res.rowsPerSecond(), PeakRSS: res.PeakRSS,
		Note:     fmt.Sprintf("peak RSS <= %d MiB %s; plugin CPU %.0f us/row", targetWidePeakRSS>>20, verdict(res.PeakRSS <= targetWidePeakRSS), res.cpuPerRow()),
		RowCheck: checkRows(res.Rows, want)}}, nil
}

// printCPUAccount says where the machine's CPU went in the sync and in the floor's, and how much
// CPU the target wall time leaves the plugin: the cores' time between the CLI's own start and
// stop (cliFixed, when the sync's work cannot run) and the target, less what the emulator, the
// CLI, the destination and PostgreSQL used. On a machine whose cores they all share, a plugin
// whose calls cost more CPU than that cannot meet the target, however it schedules them.
func printCPUAccount(w io.Writer, res, floor cliResult, emulator float64, calls int64, targetWall, cliFixed float64) {
	cores := runtime.NumCPU()
	others := emulator + (res.CLICPU - res.CPU) + res.PostgresCPU
	all := res.CPU + others
	line(w, "CPU in the sync", "plugin %.1f s = %.0f us a call; emulator %.1f s; CLI and destination %.1f s; PostgreSQL %.1f s: %.1f s on %d cores = at least %.1f s",
		res.CPU, res.CPU*1e6/float64(max(1, calls)), emulator, res.CLICPU-res.CPU, res.PostgresCPU, all, cores, all/float64(cores))
	line(w, "CPU in the floor", "floor source %.1f s; CLI and destination %.1f s; PostgreSQL %.1f s",
		floor.CPU, floor.CLICPU-floor.CPU, floor.PostgresCPU)
	allowed := float64(cores)*(targetWall-cliFixed) - others
	line(w, "at the target", "%.1f s, less the CLI's own %.1f s, on %d cores, less the others' %.1f s of CPU, leaves the plugin at most %.1f s = %.0f us a call",
		targetWall, cliFixed, cores, others, allowed, allowed*1e6/float64(max(1, calls)))
}

// runCLIFixed returns the CLI's own time in a sync of tables, whatever the source: starting the
// source and the destination (gRPC's first attempt to connect comes before a plugin listens, and
// its retry waits about a second for each), migrating the tables, and stopping. It is measured
// with the floor source sending the same tables and no rows.
func (b *cliBench) runCLIFixed(ctx context.Context, dir string, tables map[string]int64, dsn string, skip []string) (float64, error) {
	noRows := map[string]int64{}
	for table := range tables {
		noRows[table] = 0
	}
	fixed, _, err := b.runFloor(ctx, dir, noRows, dsn, skip)
	return fixed, err
}

// runFloor syncs rows (per table) from the floor source through the CLI into dsn and returns the
// time the CLI and the destination took: the wall time less the source's own time making rows;
// and the sync's figures.
func (b *cliBench) runFloor(ctx context.Context, dir string, rows map[string]int64, dsn string, skip []string) (float64, cliResult, error) {
	genFile := filepath.Join(dir, "floor-generation")
	res, err := b.run(ctx, dir, cliSync{Source: binFloor, Spec: floorSpec{Rows: rows, GenerationFile: genFile}, SkipTables: skip, DSN: dsn})
	if err != nil {
		return 0, res, err
	}
	if check := checkRows(res.Rows, rows); !strings.HasPrefix(check, rowsMatchPrefix) {
		return 0, res, fmt.Errorf("floor source: %s", check)
	}
	raw, err := os.ReadFile(genFile)
	if err != nil {
		return 0, res, fmt.Errorf("floor source did not report its generation time: %w", err)
	}
	gen, err := strconv.ParseFloat(strings.TrimSpace(string(raw)), 64)
	if err != nil {
		return 0, res, err
	}
	return res.Wall - gen, res, nil
}

// minimumDesc says what bounds the slowest account-region.
func minimumDesc(m Minimum, quotas map[string]float64) string {
	s := m.Slowest
	if s.QuotaOp != "" && s.QuotaBound >= s.ChainBound {
		return fmt.Sprintf("%s:%s, %d %s calls at %g/s", s.Account, s.Region, s.Calls[s.QuotaOp], s.QuotaOp, quotas[s.QuotaOp])
	}
	return fmt.Sprintf("%s:%s, chain %s", s.Account, s.Region, s.ChainDesc)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// printSummary ends the output with every run's figures side by side, for docs/performance.md.
func printSummary(w io.Writer, rows []summaryRow) {
	fmt.Fprintln(w, "| run | measure | wall | reference | ratio | target | rows/s | peak RSS | note |")
	fmt.Fprintln(w, "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | --- |")
	for _, r := range rows {
		target, ratio := "-", fmt.Sprintf("%.3f", r.ratio())
		if r.Target > 0 {
			target = fmt.Sprintf("<= %.1f %s", r.Target, verdict(r.ratio() <= r.Target))
		}
		rss := "-"
		if r.PeakRSS > 0 {
			rss = fmt.Sprintf("%.1f MiB", mib(r.PeakRSS))
		}
		rps := "-"
		if r.RowsPerSec > 0 {
			rps = fmt.Sprintf("%.0f", r.RowsPerSec)
		}
		note := r.Note
		if !r.rowsMatch() {
			note += "; " + r.RowCheck
		}
		fmt.Fprintf(w, "| %s | %s | %.1f s | %.1f s %s | %s | %s | %s | %s | %s |\n",
			r.Run, r.Measure, r.Wall, r.Reference, r.RefDesc, ratio, target, rps, rss, note)
	}
}
