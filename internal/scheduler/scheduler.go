// This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0. If a copy
// of the MPL was not distributed with this file, You can obtain one at https://mozilla.org/MPL/2.0/.
// Copied from github.com/cloudquery/plugin-sdk/v4@v4.40.1/scheduler; see doc comment of scheduler.go.

// Package scheduler is the plugin-sdk v4.40.1 scheduler (github.com/cloudquery/plugin-sdk/v4,
// scheduler/, MPL-2.0: https://mozilla.org/MPL/2.0/), adapted: rows leave in records of up to
// BatchRows rows per table, built with one Arrow builder per table, where the SDK makes a record
// (and an Arrow schema) of every row; a resource's or child table's logger is built only when
// there is something to log; only the DFS and round-robin strategies are kept. For the CPU per
// row: a send's resources are resolved by a few workers (the resource bound) rather than a
// goroutine each, and goroutines are reused (goroutines.go); a resource's context is made when
// first looked at (resource_context.go); columns without a resolver and _cq_id use what is found
// once per column name, struct type and table instead of searching per row. The round-robin
// strategy keeps a client's tables together by client ID and, given WithAdmission, admits the
// clients in order before starting their tables.
package scheduler

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/cloudquery/plugin-sdk/v4/caser"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/scalar"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/getsentry/sentry-go"
	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/thoas/go-funk"
	"go.opentelemetry.io/otel"
	"golang.org/x/sync/semaphore"
)

const (
	DefaultSingleResourceMaxConcurrency    = 5
	DefaultSingleNestedTableMaxConcurrency = 5
	DefaultConcurrency                     = 50000
	DefaultMaxDepth                        = 4
	minTableConcurrency                    = 1
	minResourceConcurrency                 = 100
	otelName                               = "schedule"
)

var ErrNoTables = errors.New("no tables specified for syncing, review `tables` and `skip_tables` in your config and specify at least one table to sync")

// Strategy is the order in which table runs start.
type Strategy int

const (
	// StrategyDFS starts each table for every client, table after table.
	StrategyDFS Strategy = iota
	// StrategyRoundRobin starts every table of a client, client after client.
	StrategyRoundRobin
)

const (
	// BatchRows is the most rows of one table sent in one record.
	BatchRows = 500
	// batchWait is the longest a row waits for its record to fill up.
	batchWait = 250 * time.Millisecond
)

type Option func(*Scheduler)

func WithLogger(logger zerolog.Logger) Option {
	return func(s *Scheduler) {
		s.logger = logger
	}
}

func WithConcurrency(concurrency int) Option {
	return func(s *Scheduler) {
		s.concurrency = concurrency
	}
}

func WithMaxDepth(maxDepth uint64) Option {
	return func(s *Scheduler) {
		s.maxDepth = maxDepth
	}
}

func WithStrategy(strategy Strategy) Option {
	return func(s *Scheduler) {
		s.strategy = strategy
	}
}

func WithSingleNestedTableMaxConcurrency(concurrency int64) Option {
	return func(s *Scheduler) {
		s.singleNestedTableMaxConcurrency = concurrency
	}
}

func WithSingleResourceMaxConcurrency(concurrency int64) Option {
	return func(s *Scheduler) {
		s.singleResourceMaxConcurrency = concurrency
	}
}

// WithAdmission makes the round-robin strategy start a client's top-level tables only once admit
// lets the client run. admit is called for one table-client at a time, in the strategy's order
// (client after client), so clients are admitted in the order their multiplexers list them; leave
// is called when that table's run ends.
func WithAdmission(admit func(ctx context.Context, client schema.ClientMeta) (leave func(), err error)) Option {
	return func(s *Scheduler) {
		s.admit = admit
	}
}

type SyncOption func(*syncClient)

func WithSyncDeterministicCQID(deterministicCQID bool) SyncOption {
	return func(s *syncClient) {
		s.deterministicCQID = deterministicCQID
	}
}

type Client interface {
	ID() string
}

type Scheduler struct {
	caser    *caser.Caser
	strategy Strategy
	maxDepth uint64
	// resourceSem is a semaphore that limits the number of concurrent resources being fetched
	resourceSem *semaphore.Weighted
	// tableSem is a semaphore that limits the number of concurrent tables being fetched
	tableSems []*semaphore.Weighted
	// Logger to call, this logger is passed to the serve.Serve Client, if not defined Serve will create one instead.
	logger      zerolog.Logger
	concurrency int
	// This Map holds all of the concurrency semaphores for each table+client pair.
	singleTableConcurrency sync.Map
	// The maximum number of go routines that can be spawned for a single table+client pair
	singleNestedTableMaxConcurrency int64

	// The maximum number of go routines that can be spawned for a specific resource
	singleResourceMaxConcurrency int64

	// pascalNames caches caser.ToPascal per column name (string -> string).
	pascalNames sync.Map
	// absentFields caches, per struct type and field name, whether the type lacks the field
	// (structField -> bool).
	absentFields sync.Map
	// identities caches each table's rowIdentity (*schema.Table -> *rowIdentity).
	identities sync.Map
	// admit, when set, gates the round-robin strategy's top-level table runs (WithAdmission).
	admit func(ctx context.Context, client schema.ClientMeta) (leave func(), err error)
}

type syncClient struct {
	tables            schema.Tables
	client            schema.ClientMeta
	scheduler         *Scheduler
	deterministicCQID bool
	// status sync metrics
	metrics *Metrics
	logger  zerolog.Logger
	// goroutines runs the sync's table resolvers and resource workers.
	goroutines *goroutines
}

func NewScheduler(opts ...Option) *Scheduler {
	s := Scheduler{
		caser:                           caser.New(),
		concurrency:                     DefaultConcurrency,
		maxDepth:                        DefaultMaxDepth,
		singleResourceMaxConcurrency:    DefaultSingleResourceMaxConcurrency,
		singleNestedTableMaxConcurrency: DefaultSingleNestedTableMaxConcurrency,
	}
	for _, opt := range opts {
		opt(&s)
	}
	// This is very similar to the concurrent web crawler problem with some minor changes.
	// We are using DFS/Round-Robin to make sure memory usage is capped at O(h) where h is the height of the tree.
	tableConcurrency := max(s.concurrency/minResourceConcurrency, minTableConcurrency)
	resourceConcurrency := tableConcurrency * minResourceConcurrency
	s.tableSems = make([]*semaphore.Weighted, s.maxDepth)
	for i := uint64(0); i < s.maxDepth; i++ {
		s.tableSems[i] = semaphore.NewWeighted(int64(tableConcurrency))
		// reduce table concurrency logarithmically for every depth level
		tableConcurrency = max(tableConcurrency/2, minTableConcurrency)
	}
	s.resourceSem = semaphore.NewWeighted(int64(resourceConcurrency))

	return &s
}

// SyncAll is mostly used for testing as it will sync all tables and can run out of memory
// in the real world. Should use Sync for production.
func (s *Scheduler) SyncAll(ctx context.Context, client schema.ClientMeta, tables schema.Tables) (message.SyncMessages, error) {
	res := make(chan message.SyncMessage)
	var err error
	go func() {
		defer close(res)
		err = s.Sync(ctx, client, tables, res)
	}()
	// nolint:prealloc
	var messages message.SyncMessages
	for msg := range res {
		messages = append(messages, msg)
	}
	return messages, err
}

func (s *Scheduler) Sync(ctx context.Context, client schema.ClientMeta, tables schema.Tables, res chan<- message.SyncMessage, opts ...SyncOption) error {
	ctx, span := otel.Tracer(otelName).Start(ctx, "Sync")
	defer span.End()
	if len(tables) == 0 {
		return ErrNoTables
	}

	syncClient := &syncClient{
		metrics:    &Metrics{TableClient: make(map[string]map[string]*TableClientMetrics)},
		tables:     tables,
		client:     client,
		scheduler:  s,
		logger:     s.logger,
		goroutines: newGoroutines(),
	}
	defer syncClient.goroutines.stop()
	for _, opt := range opts {
		opt(syncClient)
	}

	if maxDepth(tables) > s.maxDepth {
		return fmt.Errorf("max depth exceeded, max depth is %d", s.maxDepth)
	}

	// send migrate messages first
	for _, tableOriginal := range tables.FlattenTables() {
		migrateMessage := &message.SyncMigrateTable{
			Table: tableOriginal.Copy(nil),
		}
		if syncClient.deterministicCQID {
			schema.CqIDAsPK(migrateMessage.Table)
		}
		res <- migrateMessage
	}

	resources := make(chan *schema.Resource)
	go func() {
		defer close(resources)
		switch s.strategy {
		case StrategyDFS:
			syncClient.syncDfs(ctx, resources)
		case StrategyRoundRobin:
			syncClient.syncRoundRobin(ctx, resources)
		default:
			panic(fmt.Errorf("unknown scheduler strategy %d", s.strategy))
		}
	}()
	batches := recordBatches{res: res, tables: map[*schema.Table]*recordBatch{}}
	ticker := time.NewTicker(batchWait)
	defer ticker.Stop()
	for {
		select {
		case resource, ok := <-resources:
			if !ok {
				if err := batches.flushAll(ctx); err != nil {
					return err
				}
				return context.Cause(ctx)
			}
			if err := batches.add(ctx, resource); err != nil {
				s.logger.Debug().Msg("sync context cancelled")
				return err
			}
		case <-ticker.C:
			if err := batches.flushAll(ctx); err != nil {
				s.logger.Debug().Msg("sync context cancelled")
				return err
			}
		}
	}
}

// recordBatches builds the records the sync sends: each table's rows appended to one Arrow
// builder, sent when BatchRows are in it and at every tick.
type recordBatches struct {
	res    chan<- message.SyncMessage
	tables map[*schema.Table]*recordBatch
}

type recordBatch struct {
	builder *array.RecordBuilder
	rows    int
}

func (b *recordBatches) add(ctx context.Context, resource *schema.Resource) error {
	batch := b.tables[resource.Table]
	if batch == nil {
		batch = &recordBatch{builder: array.NewRecordBuilder(memory.DefaultAllocator, resource.Table.ToArrowSchema())}
		b.tables[resource.Table] = batch
	}
	scalar.AppendToRecordBuilder(batch.builder, resource.GetValues())
	batch.rows++
	if batch.rows < BatchRows {
		return nil
	}
	return b.flush(ctx, batch)
}

func (b *recordBatches) flush(ctx context.Context, batch *recordBatch) error {
	if batch.rows == 0 {
		return nil
	}
	batch.rows = 0
	select {
	case b.res <- &message.SyncInsert{Record: batch.builder.NewRecord()}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (b *recordBatches) flushAll(ctx context.Context) error {
	for _, batch := range b.tables {
		if err := b.flush(ctx, batch); err != nil {
			return err
		}
	}
	return nil
}

func (s *syncClient) logTablesMetrics(tables schema.Tables, client Client) {
	clientName := client.ID()
	for _, table := range tables {
		metrics := s.metrics.TableClient[table.Name][clientName]
		s.logger.Info().Str("table", table.Name).Str("client", clientName).Uint64("resources", metrics.Resources).Uint64("errors", metrics.Errors).Msg("table sync finished")
		s.logTablesMetrics(table.Relations, client)
	}
}

func (s *syncClient) resolveResource(ctx context.Context, table *schema.Table, client schema.ClientMeta, clientID string, parent *schema.Resource, item any) *schema.Resource {
	resourceCtx := newResourceContext(ctx, resourceTimeout)
	defer resourceCtx.end()
	ctx = resourceCtx
	resource := schema.NewResourceData(table, parent, item)
	objectStartTime := time.Now()
	tableMetrics := s.metrics.TableClient[table.Name][clientID]
	logger := resourceLogger{base: &s.logger, table: table.Name, client: clientID}
	defer func() {
		if err := recover(); err != nil {
			stack := fmt.Sprintf("%s\n%s", err, string(debug.Stack()))
			logger.get().Error().Interface("error", err).TimeDiff("duration", time.Now(), objectStartTime).Str("stack", stack).Msg("resource resolver finished with panic")
			atomic.AddUint64(&tableMetrics.Panics, 1)
			sentry.WithScope(func(scope *sentry.Scope) {
				scope.SetTag("table", table.Name)
				sentry.CurrentHub().CaptureMessage(stack)
			})
		}
	}()
	if table.PreResourceResolver != nil {
		if err := table.PreResourceResolver(ctx, client, resource); err != nil {
			logger.get().Error().Err(err).Msg("pre resource resolver failed")
			atomic.AddUint64(&tableMetrics.Errors, 1)
			captureValidationError(err, table.Name, "")
			return nil
		}
	}

	for _, c := range table.Columns {
		s.resolveColumn(ctx, &logger, tableMetrics, client, resource, c, objectStartTime)
	}

	if table.PostResourceResolver != nil {
		if err := table.PostResourceResolver(ctx, client, resource); err != nil {
			logger.get().Error().Stack().Err(err).Msg("post resource resolver finished with error")
			atomic.AddUint64(&tableMetrics.Errors, 1)
			captureValidationError(err, table.Name, "")
		}
	}
	atomic.AddUint64(&tableMetrics.Resources, 1)
	return resource
}

// resourceLogger is a resource's logger, built on first use: a zerolog context per resource
// costs more than most resources.
type resourceLogger struct {
	base          *zerolog.Logger
	table, client string
	logger        zerolog.Logger
	built         bool
}

func (l *resourceLogger) get() *zerolog.Logger {
	if !l.built {
		l.logger, l.built = l.base.With().Str("table", l.table).Str("client", l.client).Logger(), true
	}
	return &l.logger
}

// captureValidationError sends err to Sentry, tagged with the table and the column (if any),
// when it is a schema.ValidationError.
func captureValidationError(err error, table, column string) {
	var validationErr *schema.ValidationError
	if !errors.As(err, &validationErr) {
		return
	}
	sentry.WithScope(func(scope *sentry.Scope) {
		scope.SetTag("table", table)
		if column != "" {
			scope.SetTag("column", column)
		}
		sentry.CurrentHub().CaptureMessage(validationErr.MaskedError())
	})
}

// resolveColumn resolves one column of the resource. A panic's duration is counted from the
// resource's start: a clock read per column cost more than most columns.
func (s *syncClient) resolveColumn(ctx context.Context, logger *resourceLogger, tableMetrics *TableClientMetrics, client schema.ClientMeta, resource *schema.Resource, c schema.Column, columnStartTime time.Time) {
	defer func() {
		if err := recover(); err != nil {
			stack := fmt.Sprintf("%s\n%s", err, string(debug.Stack()))
			logger.get().Error().Str("column", c.Name).Interface("error", err).TimeDiff("duration", time.Now(), columnStartTime).Str("stack", stack).Msg("column resolver finished with panic")
			atomic.AddUint64(&tableMetrics.Panics, 1)
			sentry.WithScope(func(scope *sentry.Scope) {
				scope.SetTag("table", resource.Table.Name)
				scope.SetTag("column", c.Name)
				sentry.CurrentHub().CaptureMessage(stack)
			})
		}
	}()

	if c.Resolver != nil {
		if err := c.Resolver(ctx, client, resource, c); err != nil {
			logger.get().Error().Err(err).Msg("column resolver finished with error")
			atomic.AddUint64(&tableMetrics.Errors, 1)
			captureValidationError(err, resource.Table.Name, c.Name)
		}
	} else {
		// base use case: try to get column with CamelCase name
		v := s.scheduler.defaultColumnValue(resource.GetItem(), c.Name)
		if v != nil {
			err := resource.Set(c.Name, v)
			if err != nil {
				logger.get().Error().Err(err).Msg("column resolver finished with error")
				atomic.AddUint64(&tableMetrics.Errors, 1)
				captureValidationError(err, resource.Table.Name, c.Name)
			}
		}
	}
}

// rowIdentity is what a table's _cq_id is computed from, found once per table.
type rowIdentity struct {
	// components are the indexes of the primary-key component columns, in the order of their
	// names, and names those names.
	components []int
	names      [][]byte
	// cqID is the index of the _cq_id column, -1 when the table has none.
	cqID int
}

func (s *Scheduler) identityOf(t *schema.Table) *rowIdentity {
	if id, ok := s.identities.Load(t); ok {
		return id.(*rowIdentity)
	}
	id := &rowIdentity{cqID: t.Columns.Index(schema.CqIDColumn.Name)}
	names := t.PrimaryKeyComponents()
	slices.Sort(names)
	for _, name := range names {
		id.components = append(id.components, t.Columns.Index(name))
		id.names = append(id.names, []byte(name))
	}
	actual, _ := s.identities.LoadOrStore(t, id)
	return actual.(*rowIdentity)
}

// calculateCQID is r.CalculateCQID(s.deterministicCQID), the same _cq_id, without finding the
// table's primary-key components and columns by name on every row.
func (s *syncClient) calculateCQID(r *schema.Resource) error {
	id := s.scheduler.identityOf(r.Table)
	if len(id.components) == 0 {
		return r.CalculateCQID(s.deterministicCQID)
	}
	values := r.GetValues()
	h := sha256.New()
	for i, column := range id.components {
		h.Write(id.names[i])
		h.Write([]byte(values[column].String()))
	}
	if id.cqID < 0 {
		return nil
	}
	cqID := uuid.NewSHA1(uuid.UUID{}, h.Sum(nil))
	b, err := cqID.MarshalBinary()
	if err != nil {
		return err
	}
	if err := values[id.cqID].Set(b); err != nil {
		panic(fmt.Errorf("failed to set column %s: %w", schema.CqIDColumn.Name, err))
	}
	return nil
}

// defaultColumnValue is the value of a column without a resolver: the item's field named as the
// column in PascalCase (funk.Get), nil when there is none. The caser's answer is kept per column
// name, and a struct type known to lack the field answers nil without reflection (the _cq_id
// column, which every table has, is such a column on every row).
func (s *Scheduler) defaultColumnValue(item any, column string) any {
	name, ok := s.pascalNames.Load(column)
	if !ok {
		name, _ = s.pascalNames.LoadOrStore(column, s.caser.ToPascal(column))
	}
	field := name.(string)
	if st := structType(item); st != nil && !strings.ContainsAny(field, `."`) {
		key := structField{st, field}
		absent, ok := s.absentFields.Load(key)
		if !ok {
			_, found := st.FieldByName(field)
			absent, _ = s.absentFields.LoadOrStore(key, !found)
		}
		if absent.(bool) {
			return nil
		}
	}
	return funk.Get(item, field, funk.WithAllowZero())
}

// structField names a field of a struct type.
type structField struct {
	t    reflect.Type
	name string
}

// structType is the struct type item is or points to, nil for anything else.
func structType(item any) reflect.Type {
	t := reflect.TypeOf(item)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

func maxDepth(tables schema.Tables) uint64 {
	var depth uint64
	if len(tables) == 0 {
		return 0
	}
	for _, table := range tables {
		newDepth := 1 + maxDepth(table.Relations)
		if newDepth > depth {
			depth = newDepth
		}
	}
	return depth
}

// unparam's suggestion to remove the second parameter is not good advice here.
// nolint:unparam
func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}
