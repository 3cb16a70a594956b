// This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0. If a copy
// of the MPL was not distributed with this file, You can obtain one at https://mozilla.org/MPL/2.0/.
// Copied from github.com/cloudquery/plugin-sdk/v4@v4.40.1/scheduler; see doc comment of scheduler.go.

package scheduler

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/cloudquery/plugin-sdk/v4/helpers"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/getsentry/sentry-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"golang.org/x/sync/semaphore"
)

func (s *syncClient) syncDfs(ctx context.Context, resolvedResources chan<- *schema.Resource) {
	ctx, span := otel.Tracer(otelName).Start(ctx, "syncDfs")
	defer span.End()
	// we have this because plugins can return sometimes clients in a random way which will cause
	// differences between this run and the next one.
	preInitialisedClients := make([][]schema.ClientMeta, len(s.tables))
	for i, table := range s.tables {
		clients := []schema.ClientMeta{s.client}
		if table.Multiplex != nil {
			clients = table.Multiplex(s.client)
		}
		// Detect duplicate clients while multiplexing
		seenClients := make(map[string]bool)
		for _, c := range clients {
			if _, ok := seenClients[c.ID()]; !ok {
				seenClients[c.ID()] = true
			} else {
				sentry.WithScope(func(scope *sentry.Scope) {
					scope.SetTag("table", table.Name)
					sentry.CurrentHub().CaptureMessage("duplicate client ID in " + table.Name)
				})
				s.logger.Warn().Str("client", c.ID()).Str("table", table.Name).Msg("multiplex returned duplicate client")
			}
		}
		preInitialisedClients[i] = clients
		// we do this here to avoid locks so we initial the metrics structure once in the main goroutines
		// and then we can just read from it in the other goroutines concurrently given we are not writing to it.
		s.metrics.initWithClients(table, clients)
	}

	var wg sync.WaitGroup
	for i, table := range s.tables {
		table := table
		clients := preInitialisedClients[i]
		for _, client := range clients {
			client := client
			if err := s.scheduler.tableSems[0].Acquire(ctx, 1); err != nil {
				// This means context was cancelled
				wg.Wait()
				return
			}
			wg.Add(1)
			s.goroutines.Go(func() {
				defer wg.Done()
				defer s.scheduler.tableSems[0].Release(1)
				// not checking for error here as nothing much todo.
				// the error is logged and this happens when context is cancelled
				s.resolveTableDfs(ctx, table, client, nil, resolvedResources, 1)
			})
		}
	}

	// Wait for all the worker goroutines to finish
	wg.Wait()
}

func (s *syncClient) resolveTableDfs(ctx context.Context, table *schema.Table, client schema.ClientMeta, parent *schema.Resource, resolvedResources chan<- *schema.Resource, depth int) {
	ctx, span := otel.Tracer(otelName).Start(ctx, "resolveTableDfs_"+table.Name)
	span.SetAttributes(attribute.Key("client-id").String(client.ID()))
	defer span.End()
	var validationErr *schema.ValidationError
	clientName := client.ID()
	// Built on first use (a child table logs only its failures); a root table's is built here,
	// before the resolver's goroutine starts, so that goroutine only reads it.
	logger := &resourceLogger{base: &s.logger, table: table.Name, client: clientName}

	if parent == nil { // Log only for root tables, otherwise we spam too much.
		logger.get().Info().Msg("top level table resolver started")
	}
	tableMetrics := s.metrics.TableClient[table.Name][clientName]

	res := make(chan any)
	s.goroutines.Go(func() {
		defer func() {
			if err := recover(); err != nil {
				stack := fmt.Sprintf("%s\n%s", err, string(debug.Stack()))
				sentry.WithScope(func(scope *sentry.Scope) {
					scope.SetTag("table", table.Name)
					sentry.CurrentHub().CaptureMessage(stack)
				})
				logger.get().Error().Interface("error", err).Str("stack", stack).Msg("table resolver finished with panic")
				atomic.AddUint64(&tableMetrics.Panics, 1)
			}
			close(res)
		}()
		if err := table.Resolver(ctx, client, parent, res); err != nil {
			logger.get().Error().Err(err).Msg("table resolver finished with error")
			atomic.AddUint64(&tableMetrics.Errors, 1)
			if errors.As(err, &validationErr) {
				sentry.WithScope(func(scope *sentry.Scope) {
					scope.SetTag("table", table.Name)
					sentry.CurrentHub().CaptureMessage(validationErr.MaskedError())
				})
			}
			return
		}
	})

	// The SDK waited, after each send, for every child table of its resources before taking the
	// next send: one key whose grants take minutes (50,000 grants, 500 pages) held back every key
	// sent after it while its pair's quotas idled. The children of all sends are waited for once,
	// at the end; they stay bounded by the per-table and global table semaphores.
	var children sync.WaitGroup
	for r := range res {
		s.resolveResourcesDfs(ctx, table, client, parent, r, resolvedResources, depth, &children)
	}
	children.Wait()

	// we don't need any waitgroups here because we are waiting for the channel to close
	if parent == nil { // Log only for root tables and relations only after resolving is done, otherwise we spam per object instead of per table.
		logger.get().Info().Uint64("resources", tableMetrics.Resources).Uint64("errors", tableMetrics.Errors).Msg("table sync finished")
		s.logTablesMetrics(table.Relations, client)
		s.forgetSemaphores(table, clientName)
	}
}

// forgetSemaphores drops the per-table semaphores of a top-level table's finished run and of its
// descendants' runs for the same client: kept, they grew with the organization (two per table
// and account-region).
func (s *syncClient) forgetSemaphores(table *schema.Table, clientID string) {
	s.scheduler.singleTableConcurrency.Delete(relationsKey(table, clientID))
	s.scheduler.singleTableConcurrency.Delete(resourcesKey(table, clientID))
	for _, child := range table.Relations {
		s.forgetSemaphores(child, clientID)
	}
}

// relationsKey names the semaphore bounding the child tables of a table's run for a client;
// resourcesKey the one bounding its resources resolved at once.
func relationsKey(table *schema.Table, clientID string) string { return table.Name + "-" + clientID }
func resourcesKey(table *schema.Table, clientID string) string {
	return table.Name + "-" + clientID + "-resource"
}

// tableSemaphore is the semaphore of key, made with size places on first use.
func (s *syncClient) tableSemaphore(key string, size int64) *semaphore.Weighted {
	v, ok := s.scheduler.singleTableConcurrency.Load(key)
	if !ok {
		v, _ = s.scheduler.singleTableConcurrency.LoadOrStore(key, semaphore.NewWeighted(size))
	}
	return v.(*semaphore.Weighted)
}

// resolveResourcesDfs resolves one send's resources and starts their child tables, adding them to
// children; it returns once every resource is handed on and its children started.
func (s *syncClient) resolveResourcesDfs(ctx context.Context, table *schema.Table, client schema.ClientMeta, parent *schema.Resource, resources any, resolvedResources chan<- *schema.Resource, depth int, children *sync.WaitGroup) {
	resourcesSlice := helpers.InterfaceSlice(resources)
	if len(resourcesSlice) == 0 {
		return
	}
	resourcesChan := make(chan *schema.Resource, len(resourcesSlice))
	clientID := client.ID()
	go func() {
		defer close(resourcesChan)
		sentValidationErrors := &sync.Map{}
		resourceSem := s.tableSemaphore(resourcesKey(table, clientID), s.scheduler.singleResourceMaxConcurrency)
		// A few workers take the resources in order, each holding the semaphores for one resource
		// at a time as a goroutine per resource did: the table's resources are bounded by
		// resourceSem, so no more than that many can run, and a worker's stack, grown once through
		// the AWS SDK by a column's call, serves the next resource too.
		workers := min(len(resourcesSlice), max(int(s.scheduler.singleResourceMaxConcurrency), 1))
		var next atomic.Int64
		var cancelled sync.Once
		var wg sync.WaitGroup
		wg.Add(workers)
		for range workers {
			s.goroutines.Go(func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= len(resourcesSlice) {
						return
					}
					if err := resourceSem.Acquire(ctx, 1); err != nil {
						cancelled.Do(func() { s.logger.Warn().Err(err).Msg("failed to acquire semaphore. context cancelled") })
						return
					}
					// Once Resource semaphore is acquired we can acquire the global semaphore
					if err := s.scheduler.resourceSem.Acquire(ctx, 1); err != nil {
						// This means context was cancelled
						resourceSem.Release(1)
						return
					}
					s.resolveOneDfs(ctx, table, client, clientID, parent, resourcesSlice[i], resourcesChan, sentValidationErrors)
					s.scheduler.resourceSem.Release(1)
					resourceSem.Release(1)
				}
			})
		}
		wg.Wait()
	}()

	var tableSem *semaphore.Weighted // the relations' semaphore, looked up once
	for resource := range resourcesChan {
		resource := resource
		resolvedResources <- resource
		for _, relation := range resource.Table.Relations {
			relation := relation
			if tableSem == nil {
				tableSem = s.tableSemaphore(relationsKey(table, clientID), s.scheduler.singleNestedTableMaxConcurrency)
			}
			// Acquire the semaphore for the table
			if err := tableSem.Acquire(ctx, 1); err != nil {
				// This means context was cancelled
				return
			}
			// Once table semaphore is acquired we can acquire the global semaphore
			if err := s.scheduler.tableSems[depth].Acquire(ctx, 1); err != nil {
				// This means context was cancelled
				tableSem.Release(1)
				return
			}
			children.Add(1)
			tableSem := tableSem
			s.goroutines.Go(func() {
				defer children.Done()
				defer tableSem.Release(1)
				defer s.scheduler.tableSems[depth].Release(1)
				s.resolveTableDfs(ctx, relation, client, resource, resolvedResources, depth+1)
			})
		}
	}
}

// rejectResource logs and counts a resource dropped for err, and sends the first such error of
// each table to Sentry (only once per table, to avoid many duplicate messages).
func (s *syncClient) rejectResource(table *schema.Table, clientID string, err error, msg string, sentValidationErrors *sync.Map) {
	s.logger.Error().Err(err).Str("table", table.Name).Str("client", clientID).Msg(msg)
	if _, found := sentValidationErrors.LoadOrStore(table.Name, struct{}{}); !found {
		sentry.WithScope(func(scope *sentry.Scope) {
			scope.SetTag("table", table.Name)
			sentry.CurrentHub().CaptureMessage(err.Error())
		})
	}
	atomic.AddUint64(&s.metrics.TableClient[table.Name][clientID].Errors, 1)
}

// resolveOneDfs resolves one resource and, when it has its identity and primary keys, hands it
// to resourcesChan.
func (s *syncClient) resolveOneDfs(ctx context.Context, table *schema.Table, client schema.ClientMeta, clientID string, parent *schema.Resource, item any, resourcesChan chan<- *schema.Resource, sentValidationErrors *sync.Map) {
	resolvedResource := s.resolveResource(ctx, table, client, clientID, parent, item)
	if resolvedResource == nil {
		return
	}

	if err := s.calculateCQID(resolvedResource); err != nil {
		s.rejectResource(table, clientID, err, "resource resolver finished with primary key calculation error", sentValidationErrors)
		return
	}
	if err := resolvedResource.Validate(); err != nil {
		s.rejectResource(table, clientID, err, "resource resolver finished with validation error", sentValidationErrors)
		return
	}
	select {
	case resourcesChan <- resolvedResource:
	case <-ctx.Done():
	}
}
