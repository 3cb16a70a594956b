package emulator

import (
	"crypto/sha256"
	"fmt"
)

// actor is whoever made a logged call: the userIdentity of a CloudTrail record.
type actor struct {
	// Type is CloudTrail's userIdentity.type: IAMUser, AssumedRole, Root,
	// AWSService or AWSAccount.
	Type        string
	Account     string
	ARN         string
	PrincipalID string
	UserName    string
	// RoleARN and RoleName are the session issuer of an AssumedRole.
	RoleARN, RoleName string
	SessionName       string
	// InvokedBy names the AWS service that called on the actor's behalf.
	InvokedBy   string
	AccessKeyID string
	SourceIP    string
	UserAgent   string
}

const cliUserAgent = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe command/kms.create-grant"

func iamUserActor(partition, account, name string) actor {
	return actor{
		Type:        "IAMUser",
		Account:     account,
		ARN:         userARN(partition, account, name),
		PrincipalID: uniqueID("AIDA", account, "user/"+name),
		UserName:    name,
		AccessKeyID: loggedAccessKeyID("AKIA", account, name),
		SourceIP:    documentationIP(account, name),
		UserAgent:   cliUserAgent,
	}
}

func assumedRoleActor(partition, account, role, session string) actor {
	roleID := uniqueID("AROA", account, "role/"+role)
	return actor{
		Type:        "AssumedRole",
		Account:     account,
		ARN:         assumedRoleARN(partition, account, role, session),
		PrincipalID: roleID + ":" + session,
		RoleARN:     roleARN(partition, account, role),
		RoleName:    role,
		SessionName: session,
		AccessKeyID: loggedAccessKeyID("ASIA", account, role+"/"+session),
		SourceIP:    documentationIP(account, role),
		UserAgent:   cliUserAgent,
	}
}

// awsServiceActor is an AWS service acting on its own (no customer principal).
func awsServiceActor(service string) actor {
	return actor{Type: "AWSService", InvokedBy: service, SourceIP: service, UserAgent: service}
}

// via returns the actor calling through an AWS service (e.g. RDS creating a
// grant for the user who created an encrypted database).
func (a actor) via(service string) actor {
	a.InvokedBy = service
	a.SourceIP = service
	a.UserAgent = service
	return a
}

// loggedAccessKeyID is the access key shown in CloudTrail. It is never a
// working emulator credential: it does not embed an account id.
func loggedAccessKeyID(prefix, account, name string) string {
	sum := sha256.Sum256([]byte("logged:" + account + "/" + name))
	out := []byte(prefix)
	for i := range 16 {
		out = append(out, upperBase32[int(sum[i])%len(upperBase32)])
	}
	return string(out)
}

// documentationIP is a stable address from TEST-NET-3 (203.0.113.0/24).
func documentationIP(account, name string) string {
	sum := sha256.Sum256([]byte(account + "/" + name))
	return fmt.Sprintf("203.0.113.%d", 1+int(sum[0])%254)
}
