package emulator

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fast reading of KMS bodies reads what encoding/json reads, and leaves to it every body
// it cannot read exactly.
func TestFlatKMSInputReadsAsEncodingJSON(t *testing.T) {
	for body, fast := range map[string]bool{
		`{}`: true,
		`{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}`:                            true,
		`{"KeyId":"arn:aws:kms:us-east-1:111122223333:key/k","PolicyName":"default"}`: true,
		`{"KeyId":"k","Limit":100,"Marker":"m/2"}`:                                    true,
		`{"Limit":0,"KeyId":"k","GrantId":"g","GranteePrincipal":"p"}`:                true,
		`{"KeyId":"k","IncludeKeyMaterial":"ALL_KEY_MATERIAL"}`:                       true,
		`{"KeyId":"k","ResourceOwners":["SELF"]}`:                                     false,
		`{"ResourceOwners":["SELF","OTHER_ACCOUNTS_VIA_RAM"],"Limit":2}`:              false,
		`{"keyid":"k"}`:                  false, // encoding/json matches names without case
		`{"KeyId":"k","KeyId":"j"}`:      false, // the last one wins there
		`{"Limit":1,"Limit":2}`:          false,
		`{"KeyId":"a\"b"}`:               false,
		`{"KeyId":"\u006b"}`:             false,
		`{"KeyId":"é"}`:                  false,
		`{"KeyId":null}`:                 false,
		`{"KeyId": "k"}`:                 false,
		`{"Limit":007}`:                  false,
		`{"Limit":-1}`:                   false,
		`{"Limit":1.5}`:                  false,
		`{"Limit":99999999999999999999}`: false,
		`{"Other":"x"}`:                  false,
		`{"KeyId":"k",}`:                 false,
		`{"KeyId":"k"} `:                 false,
	} {
		var got kmsInput
		ok := decodeFlatKMSInput([]byte(body), &got)
		assert.Equal(t, fast, ok, "%s", body)
		if ok {
			var want kmsInput
			require.NoError(t, json.Unmarshal([]byte(body), &want), body)
			assert.Equal(t, want, got, "%s", body)
		}
	}
}
