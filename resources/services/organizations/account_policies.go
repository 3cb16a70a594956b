package organizations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/transformers"
	"github.com/kmsaudit/cq-source-awskms/client"
)

const tableName = "aws_organizations_account_policies"

// AccountPolicy is one SCP or RCP that applies to an account, and where it is attached: the
// root (level 0), an OU on the way down, or the account itself (the last level).
type AccountPolicy struct {
	OrganizationID  string              `json:"organization_id"`
	TargetAccountID string              `json:"target_account_id"`
	PolicyType      orgtypes.PolicyType `json:"policy_type"`
	Level           int64               `json:"level"`
	TargetID        string              `json:"target_id"`
	PolicyID        string              `json:"policy_id"`
	PolicyARN       string              `json:"policy_arn"`
	PolicyName      string              `json:"policy_name"`
	AWSManaged      bool                `json:"aws_managed"`
	Content         json.RawMessage     `json:"content"`
}

// AccountPolicies lists, for every account of the organization, the service control policies and
// resource control policies attached to it and to each OU and root above it. Only the
// management account can read them, so the table yields rows there and nowhere else.
func AccountPolicies() *schema.Table {
	return &schema.Table{
		Name: tableName,
		Description: "SCPs and RCPs that apply to each organization account, through its OUs up to the root " +
			"(https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListPoliciesForTarget.html, " +
			"API_ListParents.html, API_DescribePolicy.html); read from the management account. " +
			"kmsaudit reads it to fill denied_by in aws_kms_key_access.",
		Resolver:  fetchAccountPolicies,
		Multiplex: client.AccountMultiplex,
		Transform: client.TransformWithStruct(&AccountPolicy{},
			transformers.WithPrimaryKeyComponents("TargetAccountID", "PolicyType", "TargetID", "PolicyID")),
		Columns: []schema.Column{client.AccountIDColumn},
	}
}

func fetchAccountPolicies(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	c := meta.(*client.Client)
	api := c.Organizations()
	org, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *orgtypes.AWSOrganizationsNotInUseException
	if errors.As(err, &notInUse) {
		return nil // a standalone account: no SCP or RCP applies
	}
	if err != nil {
		return err
	}
	if aws.ToString(org.Organization.MasterAccountId) != c.AccountID {
		return nil // only the management account reads policies
	}
	w := &walker{api: api, parents: map[string]string{}, attached: map[string][]orgtypes.PolicySummary{}, content: map[string]json.RawMessage{}}
	types, err := w.enabledTypes(ctx)
	if err != nil {
		return err
	}
	// One account's failure loses only that account's policies: the others are sent, and the
	// first failure of each kind is returned at the end for the scheduler's count.
	var failure error
	accounts := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for accounts.HasMorePages() {
		page, err := accounts.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, a := range page.Accounts {
			account := aws.ToString(a.Id)
			rows, op, err := w.policiesOf(ctx, account, types)
			if err != nil {
				if report := c.RecordFailure(tableName, op, account, err); report != nil && failure == nil {
					failure = report
				}
				continue
			}
			for i := range rows {
				rows[i].OrganizationID = aws.ToString(org.Organization.Id)
			}
			res <- rows
		}
	}
	return failure
}

// walker reads the organization tree once: each parent, each target's policies and each
// policy's content are asked for at most once per sync.
type walker struct {
	api      *organizations.Client
	parents  map[string]string
	attached map[string][]orgtypes.PolicySummary
	content  map[string]json.RawMessage
}

// enabledTypes are the SCP and RCP types enabled on the root; listing a type that is not enabled
// is an error, and a type not enabled applies no policy.
func (w *walker) enabledTypes(ctx context.Context) ([]orgtypes.PolicyType, error) {
	var out []orgtypes.PolicyType
	p := organizations.NewListRootsPaginator(w.api, &organizations.ListRootsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Roots {
			for _, t := range r.PolicyTypes {
				if t.Status == orgtypes.PolicyTypeStatusEnabled &&
					(t.Type == orgtypes.PolicyTypeServiceControlPolicy || t.Type == orgtypes.PolicyTypeResourceControlPolicy) {
					out = append(out, t.Type)
				}
			}
		}
	}
	return out, nil
}

// policiesOf returns the account's policies, root first; on error it names the failed operation.
func (w *walker) policiesOf(ctx context.Context, account string, types []orgtypes.PolicyType) ([]AccountPolicy, string, error) {
	chain := []string{account}
	for id := account; ; {
		parent, ok := w.parents[id]
		if !ok {
			out, err := w.api.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(id)})
			if err != nil {
				return nil, "ListParents", err
			}
			if len(out.Parents) != 1 {
				return nil, "ListParents", fmt.Errorf("%s has %d parents, want 1", id, len(out.Parents))
			}
			parent = aws.ToString(out.Parents[0].Id)
			if out.Parents[0].Type == orgtypes.ParentTypeRoot {
				parent = "root:" + parent
			}
			w.parents[id] = parent
		}
		if root, isRoot := cutRoot(parent); isRoot {
			chain = append([]string{root}, chain...)
			break
		}
		chain = append([]string{parent}, chain...)
		id = parent
		if len(chain) > 10 { // Organizations nests OUs five deep at most
			return nil, "ListParents", fmt.Errorf("%s: parent chain longer than the organization allows", account)
		}
	}
	var rows []AccountPolicy
	for level, target := range chain {
		for _, t := range types {
			summaries, err := w.attachedTo(ctx, target, t)
			if err != nil {
				return nil, "ListPoliciesForTarget", err
			}
			for _, s := range summaries {
				doc, err := w.policyContent(ctx, aws.ToString(s.Id))
				if err != nil {
					return nil, "DescribePolicy", err
				}
				rows = append(rows, AccountPolicy{
					TargetAccountID: account, PolicyType: t, Level: int64(level), TargetID: target,
					PolicyID: aws.ToString(s.Id), PolicyARN: aws.ToString(s.Arn), PolicyName: aws.ToString(s.Name),
					AWSManaged: s.AwsManaged, Content: doc,
				})
			}
		}
	}
	return rows, "", nil
}

func cutRoot(parent string) (string, bool) {
	if len(parent) > 5 && parent[:5] == "root:" {
		return parent[5:], true
	}
	return "", false
}

func (w *walker) attachedTo(ctx context.Context, target string, t orgtypes.PolicyType) ([]orgtypes.PolicySummary, error) {
	key := target + "/" + string(t)
	if s, ok := w.attached[key]; ok {
		return s, nil
	}
	var out []orgtypes.PolicySummary
	p := organizations.NewListPoliciesForTargetPaginator(w.api, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: t})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Policies...)
	}
	w.attached[key] = out
	return out, nil
}

func (w *walker) policyContent(ctx context.Context, id string) (json.RawMessage, error) {
	if doc, ok := w.content[id]; ok {
		return doc, nil
	}
	out, err := w.api.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	content := aws.ToString(out.Policy.Content)
	var doc json.RawMessage
	if json.Valid([]byte(content)) {
		doc = json.RawMessage(content)
	} else {
		doc, _ = json.Marshal(content) // kept as a JSON string rather than lost
	}
	w.content[id] = doc
	return doc, nil
}
