package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/rs/zerolog"

	awskms "github.com/kmsaudit/cq-source-awskms/resources/plugin"
)

// syncJob is what the parent asks the plugin child to do.
type syncJob struct {
	Spec json.RawMessage `json:"spec"`
	// SkipTables are left out of the sync (the inventory skips aws_kms_grant_events).
	SkipTables []string `json:"skipTables,omitempty"`
	// HotKeyARN is watched: its grant rows' first and last arrival are reported.
	HotKeyARN string `json:"hotKeyArn"`
	// LogPath receives the plugin's log at debug level (its per-operation call summary).
	LogPath string `json:"logPath"`
	// HeapProfile, when set, receives a heap profile taken near the heap's peak; CPUProfile a
	// CPU profile of the whole run.
	HeapProfile string `json:"heapProfile,omitempty"`
	CPUProfile  string `json:"cpuProfile,omitempty"`
}

// syncReport is what the plugin child saw; times are seconds since Start.
type syncReport struct {
	Start time.Time `json:"start"`
	// Init is discovery (Organizations, AssumeRole, ListRegions); Sync the scheduler's run.
	Init float64          `json:"init"`
	Sync float64          `json:"sync"`
	Rows map[string]int64 `json:"rows"`
	// PairRows counts rows per "account:region" and table.
	PairRows map[string]map[string]int64 `json:"pairRows"`
	// PairDone is when each "account:region" sent its last row, PairFirstGrant its first grant.
	PairDone       map[string]float64 `json:"pairDone"`
	PairFirstGrant map[string]float64 `json:"pairFirstGrant"`
	HotKeyFirst    float64            `json:"hotKeyFirst"`
	HotKeyLast     float64            `json:"hotKeyLast"`
	// PeakRSS is the process's resident set high-water mark (bytes), as the kernel counts it.
	PeakRSS int64 `json:"peakRss"`
	// Peaks are the most live Go heap and goroutines sampled, and when the RSS peaked.
	Peaks memoryPeaks `json:"peaks"`
	Err   string      `json:"err,omitempty"`
}

const grantsTable = "aws_kms_key_grants"

// runPluginJob is the child side: it runs the plugin in-process, as the CloudQuery CLI would
// through gRPC, and consumes every row the moment it arrives, keeping only counters.
func runPluginJob(jobPath string) error {
	raw, err := os.ReadFile(jobPath)
	if err != nil {
		return err
	}
	var job syncJob
	if err := json.Unmarshal(raw, &job); err != nil {
		return err
	}
	logFile, err := os.Create(job.LogPath)
	if err != nil {
		return err
	}
	defer logFile.Close()

	if job.CPUProfile != "" {
		stop, err := cpuProfile(job.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	ctx := context.Background()
	rep := syncReport{Start: time.Now(), Rows: map[string]int64{}, PairRows: map[string]map[string]int64{}, PairDone: map[string]float64{}, PairFirstGrant: map[string]float64{}}
	zerolog.TimeFieldFormat = time.RFC3339Nano
	p := awskms.Plugin()
	p.SetLogger(zerolog.New(logFile).Level(zerolog.DebugLevel).With().Timestamp().Logger())
	mem := watchMemory(250*time.Millisecond, job.HeapProfile)
	err = p.Init(ctx, job.Spec, plugin.NewClientOptions{})
	rep.Init = time.Since(rep.Start).Seconds()
	if err == nil {
		defer p.Close(ctx)
		err = syncAndCount(ctx, p, job, &rep)
		rep.Sync = time.Since(rep.Start).Seconds() - rep.Init
	}
	rep.Peaks = mem.Stop()
	if err == nil {
		rep.PeakRSS, err = peakRSS()
	}
	if err != nil {
		rep.Err = err.Error()
	}
	return json.NewEncoder(os.Stdout).Encode(rep)
}

func syncAndCount(ctx context.Context, p *plugin.Plugin, job syncJob, rep *syncReport) error {
	msgs := make(chan message.SyncMessage)
	done := make(chan error, 1)
	go func() {
		defer close(msgs)
		done <- p.Sync(ctx, plugin.SyncOptions{Tables: benchTables, SkipTables: job.SkipTables}, msgs)
	}()
	for m := range msgs {
		if insert, ok := m.(*message.SyncInsert); ok {
			rep.observe(insert.Record, job.HotKeyARN)
		}
	}
	return <-done
}

// observe counts a record's rows and notes when their pairs and the hot key were last seen. A
// record holds up to scheduler.BatchRows rows of one table, of any pairs.
func (rep *syncReport) observe(rec arrow.Record, hotKeyARN string) {
	at := time.Since(rep.Start).Seconds()
	table, _ := rec.Schema().Metadata().GetValue(schema.MetadataTableName)
	rep.Rows[table] += rec.NumRows()
	account, region := stringColumn(rec, "account_id"), stringColumn(rec, "region")
	if account == nil || region == nil {
		return
	}
	keys := stringColumn(rec, "key_arn")
	for i := range int(rec.NumRows()) {
		pair := account.Value(i) + ":" + region.Value(i)
		rep.PairDone[pair] = at
		if rep.PairRows[pair] == nil {
			rep.PairRows[pair] = map[string]int64{}
		}
		rep.PairRows[pair][table]++
		if table != grantsTable {
			continue
		}
		if _, seen := rep.PairFirstGrant[pair]; !seen {
			rep.PairFirstGrant[pair] = at
		}
		if keys != nil && keys.Value(i) == hotKeyARN {
			if rep.HotKeyFirst == 0 {
				rep.HotKeyFirst = at
			}
			rep.HotKeyLast = at
		}
	}
}

func stringColumn(rec arrow.Record, name string) *array.String {
	idx := rec.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil
	}
	col, _ := rec.Column(idx[0]).(*array.String)
	return col
}

// pluginRun is the parent's view of one plugin child: its report and its CPU time.
type pluginRun struct {
	syncReport
	CPU time.Duration
}

// runPlugin starts the plugin child with the management account's credentials and no access to
// the machine's own AWS configuration, and waits for its report.
func runPlugin(ctx context.Context, dir string, job syncJob, accessKey, secretKey string) (pluginRun, error) {
	path := dir + "/job.json"
	raw, err := json.Marshal(job)
	if err != nil {
		return pluginRun{}, err
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return pluginRun{}, err
	}
	cmd := exec.CommandContext(ctx, os.Args[0], rolePlugin, path)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+accessKey,
		"AWS_SECRET_ACCESS_KEY="+secretKey,
		"AWS_SESSION_TOKEN=",
		"AWS_PROFILE=",
		"AWS_REGION=",
		"AWS_CONFIG_FILE="+dir+"/aws-config",
		"AWS_SHARED_CREDENTIALS_FILE="+dir+"/aws-credentials",
		"AWS_EC2_METADATA_DISABLED=true",
	)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return pluginRun{}, fmt.Errorf("plugin process: %w", err)
	}
	var run pluginRun
	if err := json.Unmarshal(stdout.Bytes(), &run.syncReport); err != nil {
		return pluginRun{}, fmt.Errorf("plugin process report: %w", err)
	}
	run.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if run.Err != "" {
		return run, fmt.Errorf("sync failed: %s", run.Err)
	}
	return run, nil
}
