package analysis

import kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

// grantOperationFamilies is the one table that says which GrantFacts flag
// each grant operation sets. Operations that do the same thing to the key are
// one family: every GenerateDataKey* variant is "generate data key",
// ReEncryptFrom and ReEncryptTo are "re-encrypt", GenerateMac and VerifyMac
// are "mac". An operation missing from the table (one AWS adds later) sets
// no flag; it still shows in the grant's operations column.
var grantOperationFamilies = map[kmstypes.GrantOperation]func(*GrantFacts) *bool{
	kmstypes.GrantOperationCreateGrant: func(f *GrantFacts) *bool { return &f.AllowsCreateGrant },
	kmstypes.GrantOperationRetireGrant: func(f *GrantFacts) *bool { return &f.AllowsRetireGrant },
	kmstypes.GrantOperationDecrypt:     func(f *GrantFacts) *bool { return &f.AllowsDecrypt },
	kmstypes.GrantOperationEncrypt:     func(f *GrantFacts) *bool { return &f.AllowsEncrypt },

	kmstypes.GrantOperationGenerateDataKey:                     func(f *GrantFacts) *bool { return &f.AllowsGenerateDataKey },
	kmstypes.GrantOperationGenerateDataKeyWithoutPlaintext:     func(f *GrantFacts) *bool { return &f.AllowsGenerateDataKey },
	kmstypes.GrantOperationGenerateDataKeyPair:                 func(f *GrantFacts) *bool { return &f.AllowsGenerateDataKey },
	kmstypes.GrantOperationGenerateDataKeyPairWithoutPlaintext: func(f *GrantFacts) *bool { return &f.AllowsGenerateDataKey },

	kmstypes.GrantOperationReEncryptFrom: func(f *GrantFacts) *bool { return &f.AllowsReEncrypt },
	kmstypes.GrantOperationReEncryptTo:   func(f *GrantFacts) *bool { return &f.AllowsReEncrypt },

	kmstypes.GrantOperationSign:   func(f *GrantFacts) *bool { return &f.AllowsSign },
	kmstypes.GrantOperationVerify: func(f *GrantFacts) *bool { return &f.AllowsVerify },

	kmstypes.GrantOperationGenerateMac: func(f *GrantFacts) *bool { return &f.AllowsMac },
	kmstypes.GrantOperationVerifyMac:   func(f *GrantFacts) *bool { return &f.AllowsMac },

	kmstypes.GrantOperationDescribeKey:        func(f *GrantFacts) *bool { return &f.AllowsDescribeKey },
	kmstypes.GrantOperationDeriveSharedSecret: func(f *GrantFacts) *bool { return &f.AllowsDeriveSharedSecret },
	kmstypes.GrantOperationGetPublicKey:       func(f *GrantFacts) *bool { return &f.AllowsGetPublicKey },
	kmstypes.GrantOperationEncapsulate:        func(f *GrantFacts) *bool { return &f.AllowsEncapsulate },
	kmstypes.GrantOperationDecapsulate:        func(f *GrantFacts) *bool { return &f.AllowsDecapsulate },
}
