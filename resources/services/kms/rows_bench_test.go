package kms

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/kmsaudit/cq-source-awskms/client"
	"github.com/kmsaudit/cq-source-awskms/internal/cputime"
	"github.com/kmsaudit/cq-source-awskms/internal/scheduler"
	"github.com/rs/zerolog"
)

// BenchmarkRowPipeline measures the plugin's CPU per row without AWS: keys and their grants, the
// inventory's commonest rows, resolved from memory through the plugin's scheduler with the
// plugin's scheduling bounds, into records. Run: go test -run '^$' -bench RowPipeline -benchmem
// ./resources/services/kms
func BenchmarkRowPipeline(b *testing.B) {
	const keys, grantsPerKey = 20, 250
	tables := inMemoryKeysAndGrants(keys, grantsPerKey)
	c := &client.Client{AccountID: "111122223333", Region: "us-east-1", Partition: "aws"}
	s := scheduler.NewScheduler(
		scheduler.WithLogger(zerolog.Nop()),
		scheduler.WithStrategy(scheduler.StrategyRoundRobin),
		scheduler.WithConcurrency(2*100*16),
		scheduler.WithSingleResourceMaxConcurrency(8),
		scheduler.WithSingleNestedTableMaxConcurrency(16),
	)
	rowsPerSync := keys * (1 + grantsPerKey)
	var before, after runtime.MemStats
	b.ResetTimer()
	runtime.ReadMemStats(&before)
	cpuBefore := cputime.Process()
	for range b.N {
		res := make(chan message.SyncMessage, 16)
		done := make(chan int)
		go func() {
			rows := 0
			for m := range res {
				if ins, ok := m.(*message.SyncInsert); ok {
					rows += int(ins.Record.NumRows())
					ins.Record.Release()
				}
			}
			done <- rows
		}()
		err := s.Sync(context.Background(), c, tables, res, scheduler.WithSyncDeterministicCQID(true))
		close(res)
		if rows := <-done; err != nil || rows != rowsPerSync {
			b.Fatalf("sync: %d rows, want %d; %v", rows, rowsPerSync, err)
		}
	}
	b.StopTimer()
	cpu := cputime.Process() - cpuBefore
	runtime.ReadMemStats(&after)
	perRow := float64(b.N * rowsPerSync)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/perRow, "ns/row")
	b.ReportMetric(float64(cpu.Nanoseconds())/perRow, "cpu-ns/row")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/perRow, "allocs/row")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/perRow, "B/row")
}

// inMemoryKeysAndGrants is aws_kms_keys with its aws_kms_key_grants child as the plugin builds
// them, the rows read from memory: the keys' AWS-calling columns and other children are left out.
func inMemoryKeysAndGrants(keys, grantsPerKey int) schema.Tables {
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	keyTable := Keys()
	keyTable.Resolver = func(_ context.Context, _ schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
		batch := make([]*types.KeyMetadata, 0, keysPerSend)
		for i := range keys {
			id := fmt.Sprintf("1234abcd-12ab-34cd-56ef-%012d", i)
			batch = append(batch, &types.KeyMetadata{
				KeyId: aws.String(id), Arn: aws.String("arn:aws:kms:us-east-1:111122223333:key/" + id),
				AWSAccountId: aws.String("111122223333"), CreationDate: &created, Enabled: true,
				Description: aws.String("bench key"), KeyManager: types.KeyManagerTypeCustomer,
				KeyState: types.KeyStateEnabled, KeyUsage: types.KeyUsageTypeEncryptDecrypt,
				KeySpec: types.KeySpecSymmetricDefault, Origin: types.OriginTypeAwsKms,
				EncryptionAlgorithms: []types.EncryptionAlgorithmSpec{types.EncryptionAlgorithmSpecSymmetricDefault},
			})
			if len(batch) == keysPerSend || i == keys-1 {
				res <- batch
				batch = make([]*types.KeyMetadata, 0, keysPerSend)
			}
		}
		return nil
	}
	for i, col := range keyTable.Columns {
		if col.Name == "rotation_enabled" || col.Name == "tags" { // AWS calls
			keyTable.Columns[i].Resolver = func(context.Context, schema.ClientMeta, *schema.Resource, schema.Column) error { return nil }
		}
	}
	grants := KeyGrants()
	grants.Resolver = func(_ context.Context, _ schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
		key := parent.Item.(*types.KeyMetadata)
		for first := 0; first < grantsPerKey; first += 100 {
			page := make([]types.GrantListEntry, 0, 100)
			for g := first; g < min(first+100, grantsPerKey); g++ {
				page = append(page, types.GrantListEntry{
					GrantId:           aws.String(fmt.Sprintf("%064x", g)),
					KeyId:             key.Arn,
					Name:              aws.String("bench"),
					CreationDate:      &created,
					GranteePrincipal:  aws.String("arn:aws:iam::111122223333:role/Service-" + fmt.Sprint(g%7)),
					RetiringPrincipal: aws.String("arn:aws:iam::111122223333:role/Retirer"),
					IssuingAccount:    aws.String("arn:aws:iam::111122223333:root"),
					Operations:        []types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationEncrypt, types.GrantOperationGenerateDataKey},
					Constraints:       &types.GrantConstraints{EncryptionContextSubset: map[string]string{"Department": "IT"}},
				})
			}
			res <- grantRows(page, "111122223333", nil)
		}
		return nil
	}
	keyTable.Multiplex = nil // the one client
	keyTable.Relations = schema.Tables{grants}
	tables := schema.Tables{keyTable}
	if err := transformers.TransformTables(tables); err != nil {
		panic(err)
	}
	transformers.SetParents(tables, nil)
	for _, t := range tables {
		schema.AddCqIDs(t)
	}
	return tables
}
