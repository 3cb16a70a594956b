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

// Strings are escaped as JSON requires (RFC 8259 section 7) and as the SDK's own encoder does:
// quote, backslash and control characters escaped, HTML characters and UTF-8 left alone.
func TestEncodeAWSJSONEscapesStrings(t *testing.T) {
	for in, want := range map[string]string{
		`say "hi"`:      `"say \"hi\""`,
		`C:\path`:       `"C:\\path"`,
		"x\ny\tz\x01":   `"x\ny\tz\u0001"`,
		"<&> é":         `"<&> é"`,
		"line\u2028sep": `"line\u2028sep"`,
	} {
		b, err := encodeAWSJSON(kmstypes.Tag{TagKey: aws.String(in)})
		require.NoError(t, err)
		assert.Equal(t, `{"TagKey":`+want+`}`, string(b), "%q", in)
	}

	b, err := encodeCamelJSON(kmstypes.Tag{TagKey: aws.String("plain")})
	require.NoError(t, err)
	assert.Equal(t, `{"tagKey":"plain"}`, string(b), "member names with a lower-case first letter")
}
