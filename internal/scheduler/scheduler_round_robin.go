// This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0. If a copy
// of the MPL was not distributed with this file, You can obtain one at https://mozilla.org/MPL/2.0/.
// Copied from github.com/cloudquery/plugin-sdk/v4@v4.40.1/scheduler; see doc comment of scheduler.go.

package scheduler

import (
	"context"
	"sync"

	"github.com/cloudquery/plugin-sdk/v4/schema"
)

type tableClient struct {
	table  *schema.Table
	client schema.ClientMeta
}

func (s *syncClient) syncRoundRobin(ctx context.Context, resolvedResources chan<- *schema.Resource) {
	// we have this because plugins can return sometimes clients in a random way which will cause
	// differences between this run and the next one.
	preInitialisedClients := make([][]schema.ClientMeta, len(s.tables))
	for i, table := range s.tables {
		clients := []schema.ClientMeta{s.client}
		if table.Multiplex != nil {
			clients = table.Multiplex(s.client)
		}
		preInitialisedClients[i] = clients
		// we do this here to avoid locks so we initial the metrics structure once in the main goroutines
		// and then we can just read from it in the other goroutines concurrently given we are not writing to it.
		s.metrics.initWithClients(table, clients)
	}

	tableClients := roundRobinInterleave(s.tables, preInitialisedClients)

	var wg sync.WaitGroup
	for _, tc := range tableClients {
		table := tc.table
		cl := tc.client
		if err := s.scheduler.tableSems[0].Acquire(ctx, 1); err != nil {
			// This means context was cancelled
			wg.Wait()
			return
		}
		leave := func() {}
		if s.scheduler.admit != nil {
			// Admitted here, in order, not in the table's goroutine: goroutines start in no
			// particular order, and the clients would be admitted in that one.
			var err error
			if leave, err = s.scheduler.admit(ctx, cl); err != nil {
				s.scheduler.tableSems[0].Release(1)
				wg.Wait()
				return
			}
		}
		wg.Add(1)
		s.goroutines.Go(func() {
			defer wg.Done()
			defer s.scheduler.tableSems[0].Release(1)
			defer leave()
			// not checking for error here as nothing much to do.
			// the error is logged and this happens when context is cancelled
			// Round Robin currently uses the DFS algorithm to resolve the tables, but this
			// may change in the future.
			s.resolveTableDfs(ctx, table, cl, nil, resolvedResources, 1)
		})
	}

	// Wait for all the worker goroutines to finish
	wg.Wait()
}

// roundRobinInterleave orders the table-clients client by client, every table of a client
// together: table1-client1, table2-client1, table3-client1, table1-client2, ... Clients are
// matched by ID, in the order they first appear: a table whose multiplexer lists fewer clients (a
// service offered in fewer regions) still runs beside the other tables of the same client.
func roundRobinInterleave(tables schema.Tables, preInitialisedClients [][]schema.ClientMeta) []tableClient {
	var order []string
	byClient := map[string][]tableClient{}
	total := 0
	for i, table := range tables {
		for _, c := range preInitialisedClients[i] {
			id := c.ID()
			if _, seen := byClient[id]; !seen {
				order = append(order, id)
			}
			byClient[id] = append(byClient[id], tableClient{table: table, client: c})
			total++
		}
	}
	tableClients := make([]tableClient, 0, total)
	for _, id := range order {
		tableClients = append(tableClients, byClient[id]...)
	}
	return tableClients
}
