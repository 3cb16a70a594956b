// Package analysis turns raw AWS KMS data into audit facts: what kind of
// principal a grantee is, what a grant lets its grantee do, and what a key
// policy allows. It makes no AWS calls; every function is a pure function of
// strings and aws-sdk-go-v2 KMS types, so the plugin's tables and the audit
// queries in docs/queries share one tested definition of each fact.
//
// The facts follow the recommendations of the CloudQuery deep dive on KMS key
// grants: limit CreateGrant to key administrators and AWS services, require
// kms:GrantIsForAWSResource, and watch cross-account and delegated grants.
package analysis
