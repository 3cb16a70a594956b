package emulator

import "fmt"

// Names of the IAM principals the generated data refers to. Every account has
// them; none of them is backed by credentials except EmulatorUserName.
const (
	KeyAdminRoleName     = "KeyAdminRole"
	AppRoleName          = "AppServerRole"
	DeployRoleName       = "DeployRole"
	CrossAccountRoleName = "CrossAccountReader"
	PartnerRoleName      = "PartnerRole"
	AutoScalingRolePath  = "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
	keyAdminSessionName  = "admin-session"
	aliceUserName        = "alice"
)

func iamARN(partition, account, resource string) string {
	return fmt.Sprintf("arn:%s:iam::%s:%s", partition, account, resource)
}

func rootARN(partition, account string) string { return iamARN(partition, account, "root") }

func roleARN(partition, account, role string) string {
	return iamARN(partition, account, "role/"+role)
}

func userARN(partition, account, user string) string {
	return iamARN(partition, account, "user/"+user)
}

func assumedRoleARN(partition, account, role, session string) string {
	return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", partition, account, role, session)
}

func keyARN(partition, region, account, keyID string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", partition, region, account, keyID)
}

func aliasARN(partition, region, account, aliasName string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:%s", partition, region, account, aliasName)
}

// servicePrincipal is the regional service principal AWS services use as grantee.
func servicePrincipal(service, region string) string {
	return fmt.Sprintf("%s.%s.amazonaws.com", service, region)
}
