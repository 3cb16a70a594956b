package plugin

import (
	"fmt"

	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"
	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/encoding/protowire"
)

// The CLI's `cloudquery sync --shard N/M` travels as field 6 of the Sync request (Sync.Request.
// Shard {num = 1, total = 2} in plugin-pb-go v1.27, which CLI v6.41 speaks). plugin-sdk v4.40.1
// is built on plugin-pb-go v1.19, whose Sync request has no such field: the SDK drops it with
// the other unknown fields and never tells the plugin, so every process syncs everything. The
// plugin cannot reach the request through the SDK, but it can through gRPC's codec, which every
// request passes: the codec below decodes as usual and refuses a Sync request that carries a
// shard, with a message that says what to do instead.

// cliShardField is Sync.Request's shard field number in plugin-pb-go v1.27.
const cliShardField protowire.Number = 6

// RefuseCLIShard replaces gRPC's proto codec with one that refuses the CLI's --shard. Call it
// once, before serving.
func RefuseCLIShard() {
	encoding.RegisterCodec(shardGuardCodec{next: encoding.GetCodec("proto")})
}

type shardGuardCodec struct{ next encoding.Codec }

func (c shardGuardCodec) Name() string                  { return c.next.Name() }
func (c shardGuardCodec) Marshal(v any) ([]byte, error) { return c.next.Marshal(v) }

func (c shardGuardCodec) Unmarshal(data []byte, v any) error {
	if err := c.next.Unmarshal(data, v); err != nil {
		return err
	}
	if req, ok := v.(*pb.Sync_Request); ok {
		if num, total, found := cliShard(req.ProtoReflect().GetUnknown()); found {
			return cliShardError(num, total)
		}
	}
	return nil
}

func cliShardError(num, total uint64) error {
	index := int64(num) - 1
	return fmt.Errorf("`cloudquery sync --shard %d/%d` is not supported by this plugin: its CloudQuery SDK (plugin-sdk v4.40.1) ignores the flag, so every process would sync every account and region. "+
		"Remove --shard and set the source spec's shard instead, e.g. `shard: {index: %d, total: %d}` (index counts from 0), or `index: ${SHARD_INDEX}` from an environment variable", num, total, index, total)
}

// cliShard finds the shard field among a message's unknown fields.
func cliShard(unknown []byte) (num, total uint64, found bool) {
	for len(unknown) > 0 {
		field, typ, n := protowire.ConsumeTag(unknown)
		if n < 0 {
			return 0, 0, false
		}
		unknown = unknown[n:]
		if field == cliShardField && typ == protowire.BytesType {
			msg, m := protowire.ConsumeBytes(unknown)
			if m < 0 {
				return 0, 0, false
			}
			num, total = shardNumbers(msg)
			return num, total, true
		}
		m := protowire.ConsumeFieldValue(field, typ, unknown)
		if m < 0 {
			return 0, 0, false
		}
		unknown = unknown[m:]
	}
	return 0, 0, false
}

// shardNumbers reads Shard {int32 num = 1; int32 total = 2}.
func shardNumbers(msg []byte) (num, total uint64) {
	for len(msg) > 0 {
		field, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return num, total
		}
		msg = msg[n:]
		if typ == protowire.VarintType {
			v, m := protowire.ConsumeVarint(msg)
			if m < 0 {
				return num, total
			}
			switch field {
			case 1:
				num = v
			case 2:
				total = v
			}
			msg = msg[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(field, typ, msg)
		if m < 0 {
			return num, total
		}
		msg = msg[m:]
	}
	return num, total
}
