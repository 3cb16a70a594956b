package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kmsaudit/cq-source-awskms/test/emulator"
)

func TestMutationsShowInTheAPIAndTheTrail(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	f := w.Scenario
	ctx := context.Background()
	cfg := clientConfig(url, f.Account, f.Region)
	client := kms.NewFromConfig(cfg)

	require.NoError(t, w.RevokeGrant(f.Account, f.Region, f.KeyID, f.OutsideOrgGrantID))
	grants, err := client.ListGrants(ctx, &kms.ListGrantsInput{KeyId: aws.String(f.KeyID), Limit: aws.Int32(100)})
	require.NoError(t, err)
	for _, g := range grants.Grants {
		assert.NotEqual(t, f.OutsideOrgGrantID, *g.GrantId)
	}
	assert.ErrorIs(t, w.RevokeGrant(f.Account, f.Region, f.KeyID, f.OutsideOrgGrantID), emulator.ErrNotFound)

	require.NoError(t, w.DeleteAlias(f.Account, f.Region, f.AliasName))
	_, err = kms.NewFromConfig(noRetries(cfg)).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(f.AliasName)})
	var notFound *kmstypes.NotFoundException
	assert.ErrorAs(t, err, &notFound, "the alias is gone")

	added := w.AddKey(f.Account, f.Region)
	require.NotNil(t, added)
	keys, err := client.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1000)})
	require.NoError(t, err)
	assert.Equal(t, added.ARN(), *keys.Keys[len(keys.Keys)-1].KeyArn, "the newest key is listed last")
	assert.Nil(t, w.AddKey(f.Account, "af-south-1"), "no key in a disabled region")

	trail := lookupAll(t, cloudtrail.NewFromConfig(cfg), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(3)})
	names := []string{*trail[0].EventName, *trail[1].EventName, *trail[2].EventName}
	assert.Equal(t, []string{"CreateKey", "DeleteAlias", "RevokeGrant"}, names, "mutations are the newest events")

	again := emulator.NewWorld(testConfig())
	assert.Equal(t, added.ID(), again.AddKey(f.Account, f.Region).ID(), "the n-th added key is reproducible")
}

func TestMutationsWhileServing(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ref := w.HotKey
	var grantIDs []string
	w.Read(func() {
		for _, g := range w.Region(ref.Account, ref.Region).Key(ref.KeyID).Grants[:50] {
			grantIDs = append(grantIDs, *g.GrantId)
		}
	})
	client := kms.NewFromConfig(clientConfig(url, ref.Account, ref.Region))
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, id := range grantIDs {
			assert.NoError(t, w.RevokeGrant(ref.Account, ref.Region, ref.KeyID, id))
		}
	})
	for range 3 {
		seen := map[string]bool{}
		p := kms.NewListGrantsPaginator(client, &kms.ListGrantsInput{KeyId: aws.String(ref.KeyID), Limit: aws.Int32(100)})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			require.NoError(t, err)
			for _, g := range page.Grants {
				assert.False(t, seen[*g.GrantId], "listed twice")
				seen[*g.GrantId] = true
			}
		}
	}
	wg.Wait()
}

func TestAdminEndpoints(t *testing.T) {
	w := emulator.NewWorld(testConfig())
	srv, url := serve(t, w)
	f := w.Scenario

	resp, err := http.Get(url + "/_emu/health")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	mutate := func(req emulator.MutateRequest) (int, emulator.MutateResponse) {
		body, _ := json.Marshal(req)
		resp, err := http.Post(url+"/_emu/mutate", "application/json", bytes.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		var out emulator.MutateResponse
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp.StatusCode, out
	}
	status, out := mutate(emulator.MutateRequest{Op: "AddKey", Account: f.Account, Region: f.Region})
	assert.Equal(t, http.StatusOK, status)
	assert.True(t, out.OK)
	assert.NotNil(t, w.Region(f.Account, f.Region).Key(out.KeyID))
	status, out = mutate(emulator.MutateRequest{Op: "RevokeGrant", Account: f.Account, Region: f.Region, KeyID: f.KeyID, GrantID: "nope"})
	assert.Equal(t, http.StatusNotFound, status)
	assert.False(t, out.OK)
	status, _ = mutate(emulator.MutateRequest{Op: "Explode"})
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = mutate(emulator.MutateRequest{Op: "DeleteAlias", Account: f.Account, Region: f.Region, AliasName: f.AliasName})
	assert.Equal(t, http.StatusOK, status)

	client := cloudtrail.NewFromConfig(clientConfig(url, f.Account, f.Region))
	for range 3 {
		_, err := client.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
			LookupAttributes: []cloudtrailtypes.LookupAttribute{{AttributeKey: cloudtrailtypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("kms.amazonaws.com")}},
		})
		require.NoError(t, err)
	}
	resp, err = http.Get(url + "/_emu/stats")
	require.NoError(t, err)
	defer resp.Body.Close()
	var entries []emulator.StatEntry
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&entries))
	require.Len(t, entries, 1)
	assert.Equal(t, emulator.StatKey{Account: f.Account, Region: f.Region, Operation: "cloudtrail:LookupEvents"}, entries[0].StatKey)
	assert.Equal(t, int64(3), entries[0].Calls)
	assert.Equal(t, srv.Stats().Operation("cloudtrail:LookupEvents"), entries[0].CallStats)
}

// A key added while the World is served is found by every key operation at once, by id and by
// ARN, although the region's keys were looked up before it came.
func TestKeyAddedWhileServingIsFound(t *testing.T) {
	w, url := startEmulator(t, testConfig())
	ref := w.HotKey
	client := kms.NewFromConfig(noRetries(clientConfig(url, ref.Account, ref.Region)))
	ctx := context.Background()
	_, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref.KeyID)})
	require.NoError(t, err)
	added := w.AddKey(ref.Account, ref.Region)
	for _, id := range []string{added.ID(), added.ARN()} {
		out, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		require.NoError(t, err, id)
		assert.Equal(t, added.ARN(), aws.ToString(out.KeyMetadata.Arn))
		_, err = client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)})
		require.NoError(t, err, id)
	}
}
