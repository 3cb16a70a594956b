package emulator

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncodeAWSJSONFollowsTheWireRules(t *testing.T) {
	out := &kms.ListResourceTagsOutput{
		Tags:           []kmstypes.Tag{},
		NextMarker:     nil,
		ResultMetadata: middleware.Metadata{},
	}
	b, err := encodeAWSJSON(out)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Tags":[]}`, string(b), "empty list kept, nil marker, false and metadata left out")

	md := kmstypes.KeyMetadata{
		KeyId:        aws.String("k"),
		CreationDate: aws.Time(time.Unix(1700000000, 250*int64(time.Millisecond))),
		KeyState:     kmstypes.KeyStateEnabled,
		Enabled:      true,
		MultiRegion:  aws.Bool(false),
	}
	b, err = encodeAWSJSON(md)
	require.NoError(t, err)
	assert.JSONEq(t, `{"KeyId":"k","CreationDate":1700000000.250,"Enabled":true,"KeyState":"Enabled","MultiRegion":false}`, string(b))

	b, err = encodeAWSJSON(kmstypes.GrantConstraints{EncryptionContextSubset: map[string]string{"b": "<2>", "a": "1"}})
	require.NoError(t, err)
	assert.Equal(t, `{"EncryptionContextSubset":{"a":"1","b":"<2>"}}`, string(b), "sorted keys, no HTML escaping")
}
