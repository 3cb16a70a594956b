package emulator

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cloudtrailtypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TrailEvent is one CloudTrail event: Event is what LookupEvents returns,
// Record the parsed form of Event.CloudTrailEvent.
type TrailEvent struct {
	Event  cloudtrailtypes.Event
	Record CloudTrailRecord
}

// CloudTrailRecord is a CloudTrail event record, field for field as KMS logs
// them (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
type CloudTrailRecord struct {
	EventVersion       string             `json:"eventVersion"`
	UserIdentity       UserIdentity       `json:"userIdentity"`
	EventTime          string             `json:"eventTime"`
	EventSource        string             `json:"eventSource"`
	EventName          string             `json:"eventName"`
	AWSRegion          string             `json:"awsRegion"`
	SourceIPAddress    string             `json:"sourceIPAddress"`
	UserAgent          string             `json:"userAgent"`
	ErrorCode          string             `json:"errorCode,omitempty"`
	ErrorMessage       string             `json:"errorMessage,omitempty"`
	RequestParameters  *RequestParameters `json:"requestParameters"`
	ResponseElements   *ResponseElements  `json:"responseElements"`
	RequestID          string             `json:"requestID"`
	EventID            string             `json:"eventID"`
	ReadOnly           bool               `json:"readOnly"`
	Resources          []RecordResource   `json:"resources,omitempty"`
	EventType          string             `json:"eventType"`
	ManagementEvent    bool               `json:"managementEvent"`
	RecipientAccountID string             `json:"recipientAccountId"`
	SharedEventID      string             `json:"sharedEventID,omitempty"`
	EventCategory      string             `json:"eventCategory"`
}

// UserIdentity is the caller of a logged call. A caller from another account
// shows as type AWSAccount with only principalId and accountId in the
// resource owner's trail.
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

// SessionContext describes the role session of an AssumedRole caller.
type SessionContext struct {
	SessionIssuer SessionIssuer     `json:"sessionIssuer"`
	Attributes    SessionAttributes `json:"attributes"`
}

// SessionIssuer is the role a session was assumed from.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// SessionAttributes of an AssumedRole caller.
type SessionAttributes struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// RequestParameters holds the KMS request fields the emulator logs.
type RequestParameters struct {
	KeyID                    string             `json:"keyId,omitempty"`
	GrantID                  string             `json:"grantId,omitempty"`
	GranteePrincipal         string             `json:"granteePrincipal,omitempty"`
	GranteeServicePrincipal  string             `json:"granteeServicePrincipal,omitempty"`
	RetiringPrincipal        string             `json:"retiringPrincipal,omitempty"`
	RetiringServicePrincipal string             `json:"retiringServicePrincipal,omitempty"`
	Operations               []string           `json:"operations,omitempty"`
	Constraints              *RecordConstraints `json:"constraints,omitempty"`
	Name                     string             `json:"name,omitempty"`
	AliasName                string             `json:"aliasName,omitempty"`
	TargetKeyID              string             `json:"targetKeyId,omitempty"`
	Description              string             `json:"description,omitempty"`
	KeySpec                  string             `json:"keySpec,omitempty"`
	KeyUsage                 string             `json:"keyUsage,omitempty"`
	Origin                   string             `json:"origin,omitempty"`
	PendingWindowInDays      int                `json:"pendingWindowInDays,omitempty"`
	EncryptionAlgorithm      string             `json:"encryptionAlgorithm,omitempty"`
}

// RecordConstraints are grant constraints as CloudTrail logs them.
type RecordConstraints struct {
	EncryptionContextEquals map[string]string `json:"encryptionContextEquals,omitempty"`
	EncryptionContextSubset map[string]string `json:"encryptionContextSubset,omitempty"`
	SourceArn               string            `json:"sourceArn,omitempty"`
}

// ResponseElements holds the KMS response fields the emulator logs.
type ResponseElements struct {
	GrantID      string `json:"grantId,omitempty"`
	KeyID        string `json:"keyId,omitempty"`
	DeletionDate string `json:"deletionDate,omitempty"`
	KeyState     string `json:"keyState,omitempty"`
}

// RecordResource is one resource a logged call touched.
type RecordResource struct {
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

const (
	kmsEventSource = "kms.amazonaws.com"
	kmsKeyResource = "AWS::KMS::Key"
	// trailRetention is how far back LookupEvents reaches.
	trailRetention = 90 * 24 * time.Hour
)

// eventSpec is one call to log.
type eventSpec struct {
	Name      string
	Source    string
	At        time.Time
	Actor     actor
	ReadOnly  bool
	KeyARN    string // the KMS key the call touched, if any
	Params    *RequestParameters
	Response  *ResponseElements
	ErrorCode string
	ErrorMsg  string
}

// trailIDs are the random ids of one logged call.
type trailIDs struct{ EventID, RequestID, SharedEventID string }

// buildTrailEvent renders the record of spec as the recipient account's trail
// shows it.
func buildTrailEvent(spec eventSpec, partition, region, recipient string, ids trailIDs) TrailEvent {
	source := spec.Source
	if source == "" {
		source = kmsEventSource
	}
	a := spec.Actor
	rec := CloudTrailRecord{
		EventVersion:       "1.09",
		UserIdentity:       userIdentity(a, recipient, spec.At),
		EventTime:          spec.At.UTC().Format(time.RFC3339),
		EventSource:        source,
		EventName:          spec.Name,
		AWSRegion:          region,
		SourceIPAddress:    a.SourceIP,
		UserAgent:          a.UserAgent,
		ErrorCode:          spec.ErrorCode,
		ErrorMessage:       spec.ErrorMsg,
		RequestParameters:  spec.Params,
		ResponseElements:   spec.Response,
		RequestID:          ids.RequestID,
		EventID:            ids.EventID,
		ReadOnly:           spec.ReadOnly,
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: recipient,
		SharedEventID:      ids.SharedEventID,
		EventCategory:      "Management",
	}
	if a.Type == "AWSService" {
		rec.EventType = "AwsServiceEvent"
	}
	var resources []cloudtrailtypes.Resource
	if spec.KeyARN != "" {
		keyAccount := arnAccount(spec.KeyARN)
		rec.Resources = []RecordResource{{AccountID: keyAccount, Type: kmsKeyResource, ARN: spec.KeyARN}}
		resources = []cloudtrailtypes.Resource{{ResourceType: aws.String(kmsKeyResource), ResourceName: aws.String(spec.KeyARN)}}
	}
	ev := cloudtrailtypes.Event{
		EventId:         aws.String(ids.EventID),
		EventName:       aws.String(spec.Name),
		EventSource:     aws.String(source),
		EventTime:       aws.Time(spec.At.UTC()),
		ReadOnly:        aws.String(strconv.FormatBool(spec.ReadOnly)),
		Resources:       resources,
		CloudTrailEvent: aws.String(marshalRecord(rec)),
	}
	if rec.UserIdentity.AccessKeyID != "" {
		ev.AccessKeyId = aws.String(rec.UserIdentity.AccessKeyID)
	}
	if name := trailUsername(rec.UserIdentity, a); name != "" {
		ev.Username = aws.String(name)
	}
	return TrailEvent{Event: ev, Record: rec}
}

func userIdentity(a actor, recipient string, at time.Time) UserIdentity {
	if a.Type == "AWSService" {
		return UserIdentity{Type: a.Type, InvokedBy: a.InvokedBy}
	}
	if a.Account != recipient {
		// The resource owner sees only who, not how, for another account's caller.
		return UserIdentity{Type: "AWSAccount", PrincipalID: a.PrincipalID, AccountID: a.Account, InvokedBy: a.InvokedBy}
	}
	id := UserIdentity{
		Type:        a.Type,
		PrincipalID: a.PrincipalID,
		ARN:         a.ARN,
		AccountID:   a.Account,
		AccessKeyID: a.AccessKeyID,
		UserName:    a.UserName,
		InvokedBy:   a.InvokedBy,
	}
	if a.Type == "AssumedRole" {
		id.SessionContext = &SessionContext{
			SessionIssuer: SessionIssuer{
				Type:        "Role",
				PrincipalID: uniqueID("AROA", a.Account, "role/"+a.RoleName),
				ARN:         a.RoleARN,
				AccountID:   a.Account,
				UserName:    a.RoleName,
			},
			Attributes: SessionAttributes{
				CreationDate:     at.Add(-17 * time.Minute).UTC().Format(time.RFC3339),
				MFAAuthenticated: "false",
			},
		}
	}
	return id
}

// trailUsername is LookupEvents' Username: the user name, the role session
// name, or "root".
func trailUsername(id UserIdentity, a actor) string {
	switch id.Type {
	case "IAMUser":
		return a.UserName
	case "AssumedRole":
		return a.SessionName
	case "Root":
		return "root"
	}
	return ""
}

func marshalRecord(rec CloudTrailRecord) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		panic(err) // the record holds only strings, bools, lists and maps
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// arnAccount returns the account field of an ARN.
func arnAccount(arn string) string {
	fields := strings.SplitN(arn, ":", 6)
	if len(fields) < 5 {
		return ""
	}
	return fields[4]
}
