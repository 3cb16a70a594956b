package analysis

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// GrantEvent is a CloudTrail record of CreateGrant, RetireGrant or RevokeGrant, flattened. The
// json tags are the column names of aws_kms_grant_events.
type GrantEvent struct {
	EventID         string    `json:"event_id"`
	EventTime       time.Time `json:"event_time"`
	EventName       string    `json:"event_name"`
	KeyARN          string    `json:"key_arn"`
	GrantID         *string   `json:"grant_id"`
	CallerARN       *string   `json:"caller_arn"`
	CallerType      *string   `json:"caller_type"`
	CallerAccountID *string   `json:"caller_account_id"`
	// InvokedBy is the AWS service that made the call on the caller\'s behalf (e.g. ec2.amazonaws.com).
	InvokedBy            *string `json:"invoked_by"`
	IsCrossAccountCaller bool    `json:"is_cross_account_caller"`
	// CallerIdentity is who made the call, as PrincipalIdentity spells it: the caller's ARN (a
	// role's session is the role), else its account id, else the invoking service. Lineage joins
	// it with the grantee_identity of grants and events.
	CallerIdentity   *string `json:"caller_identity"`
	GranteePrincipal *string `json:"grantee_principal"`
	// GranteeIdentity is the grantee principal as PrincipalIdentity spells it.
	GranteeIdentity   *string         `json:"grantee_identity"`
	RetiringPrincipal *string         `json:"retiring_principal"`
	Operations        []string        `json:"operations"`
	Constraints       json.RawMessage `json:"constraints"`
	ErrorCode         *string         `json:"error_code"`
	ErrorMessage      *string         `json:"error_message"`
	SourceIP          *string         `json:"source_ip"`
	UserAgent         *string         `json:"user_agent"`
	Event             json.RawMessage `json:"event"`
}

// cloudTrailRecord is the part of a KMS grant event's record we read.
type cloudTrailRecord struct {
	UserIdentity struct {
		Type        string `json:"type"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		PrincipalID string `json:"principalId"`
		InvokedBy   string `json:"invokedBy"`
	} `json:"userIdentity"`
	SourceIPAddress   string `json:"sourceIPAddress"`
	UserAgent         string `json:"userAgent"`
	ErrorCode         string `json:"errorCode"`
	ErrorMessage      string `json:"errorMessage"`
	RequestParameters struct {
		KeyID             string          `json:"keyId"`
		GrantID           string          `json:"grantId"`
		GranteePrincipal  string          `json:"granteePrincipal"`
		RetiringPrincipal string          `json:"retiringPrincipal"`
		Operations        []string        `json:"operations"`
		Constraints       json.RawMessage `json:"constraints"`
	} `json:"requestParameters"`
	ResponseElements struct {
		GrantID string `json:"grantId"`
		KeyID   string `json:"keyId"`
	} `json:"responseElements"`
	// AdditionalEventData holds the grant id of a RetireGrant called with a grant token, whose
	// requestParameters are null (KMS developer guide, ct-retire-grant.html).
	AdditionalEventData struct {
		GrantID string `json:"grantId"`
	} `json:"additionalEventData"`
	Resources []struct {
		ARN  string `json:"ARN"`
		Type string `json:"type"`
	} `json:"resources"`
}

// ParseGrantEvent reads a LookupEvents result for a key in keyAccount, region and partition.
// The key's ARN comes from the event's resources, else from the request's keyId.
func ParseGrantEvent(ev cloudtrailtypes.Event, partition, keyAccount, region string) (GrantEvent, error) {
	out := GrantEvent{EventID: deref(ev.EventId), EventName: deref(ev.EventName)}
	if ev.EventTime != nil {
		out.EventTime = ev.EventTime.UTC()
	}
	raw := deref(ev.CloudTrailEvent)
	var rec cloudTrailRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return out, fmt.Errorf("CloudTrail event %s: unreadable record: %w", out.EventID, err)
	}
	out.Event = json.RawMessage(raw)
	out.KeyARN = keyARN(ev, rec, partition, keyAccount, region)
	out.GrantID = nonEmpty(rec.ResponseElements.GrantID, rec.RequestParameters.GrantID, rec.AdditionalEventData.GrantID)
	out.CallerARN = nonEmpty(rec.UserIdentity.ARN)
	out.CallerType = nonEmpty(rec.UserIdentity.Type)
	out.CallerAccountID = nonEmpty(rec.UserIdentity.AccountID, PrincipalAccount(rec.UserIdentity.ARN))
	out.InvokedBy = nonEmpty(rec.UserIdentity.InvokedBy)
	out.IsCrossAccountCaller = out.CallerAccountID != nil && *out.CallerAccountID != keyAccount
	out.CallerIdentity = PrincipalIdentity(deref(nonEmpty(rec.UserIdentity.ARN, deref(out.CallerAccountID), rec.UserIdentity.InvokedBy)))
	out.GranteePrincipal = nonEmpty(rec.RequestParameters.GranteePrincipal)
	out.GranteeIdentity = PrincipalIdentity(rec.RequestParameters.GranteePrincipal)
	out.RetiringPrincipal = nonEmpty(rec.RequestParameters.RetiringPrincipal)
	out.Operations = rec.RequestParameters.Operations
	if len(rec.RequestParameters.Constraints) > 0 {
		out.Constraints = rec.RequestParameters.Constraints
	}
	out.ErrorCode = nonEmpty(rec.ErrorCode)
	out.ErrorMessage = nonEmpty(rec.ErrorMessage)
	out.SourceIP = nonEmpty(rec.SourceIPAddress)
	out.UserAgent = nonEmpty(rec.UserAgent)
	return out, nil
}

func keyARN(ev cloudtrailtypes.Event, rec cloudTrailRecord, partition, account, region string) string {
	for _, r := range ev.Resources {
		if deref(r.ResourceType) == "AWS::KMS::Key" && strings.HasPrefix(deref(r.ResourceName), "arn:") {
			return deref(r.ResourceName)
		}
	}
	for _, r := range rec.Resources {
		if strings.HasPrefix(r.ARN, "arn:") && strings.Contains(r.ARN, ":key/") {
			return r.ARN
		}
	}
	id := rec.RequestParameters.KeyID
	if id == "" {
		id = rec.ResponseElements.KeyID
	}
	if strings.HasPrefix(id, "arn:") || id == "" {
		return id
	}
	return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", partition, region, account, id)
}

// nonEmpty returns the first non-empty value, or nil.
func nonEmpty(values ...string) *string {
	for _, v := range values {
		if v != "" {
			return &v
		}
	}
	return nil
}
