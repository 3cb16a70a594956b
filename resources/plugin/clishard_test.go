package plugin

import (
	"strings"
	"testing"

	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"
	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // registers the codec the guard wraps
	"google.golang.org/protobuf/encoding/protowire"
)

// syncRequest writes a Sync request as CLI v6.41.1 sends it (plugin-pb-go v1.27.15's plugin.proto:
// tables = 1, deterministic_cq_id = 4, shard = 6 {num = 1, total = 2}), by hand, since this
// module's plugin-pb-go predates the shard field.
func syncRequest(shardNum, shardTotal uint64) []byte {
	b := protowire.AppendTag(nil, 1, protowire.BytesType)
	b = protowire.AppendString(b, "aws_kms_keys")
	b = protowire.AppendTag(b, 4, protowire.VarintType)
	b = protowire.AppendVarint(b, 1)
	if shardTotal > 0 {
		var shard []byte
		shard = protowire.AppendTag(shard, 1, protowire.VarintType)
		shard = protowire.AppendVarint(shard, shardNum)
		shard = protowire.AppendTag(shard, 2, protowire.VarintType)
		shard = protowire.AppendVarint(shard, shardTotal)
		b = protowire.AppendTag(b, 6, protowire.BytesType)
		b = protowire.AppendBytes(b, shard)
	}
	return b
}

// TestCLIShardIsRefused: `cloudquery sync --shard 2/3` reaches the plugin as a Sync request with
// a shard the SDK would drop; the guard refuses it and names the spec's equivalent.
func TestCLIShardIsRefused(t *testing.T) {
	codec := shardGuardCodec{next: encoding.GetCodec("proto")}
	var req pb.Sync_Request
	err := codec.Unmarshal(syncRequest(2, 3), &req)
	if err == nil {
		t.Fatal("a Sync request with --shard 2/3 was accepted")
	}
	for _, want := range []string{"--shard 2/3", "shard: {index: 1, total: 3}"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	req = pb.Sync_Request{}
	if err := codec.Unmarshal(syncRequest(0, 0), &req); err != nil {
		t.Fatalf("a Sync request without a shard was refused: %v", err)
	}
	if len(req.Tables) != 1 || req.Tables[0] != "aws_kms_keys" || !req.DeterministicCqId {
		t.Errorf("decoded %v, want tables [aws_kms_keys] and deterministic_cq_id", &req)
	}
}

// TestRefuseCLIShardInstallsTheGuard: after RefuseCLIShard the codec gRPC servers use for
// proto is the guard.
func TestRefuseCLIShardInstallsTheGuard(t *testing.T) {
	before := encoding.GetCodec("proto")
	t.Cleanup(func() { encoding.RegisterCodec(before) })
	RefuseCLIShard()
	var req pb.Sync_Request
	if err := encoding.GetCodec("proto").Unmarshal(syncRequest(1, 2), &req); err == nil {
		t.Error("the registered proto codec accepted --shard 1/2")
	}
}
