-- The audit tables as the PostgreSQL destination creates them (docs/tables,
-- with json -> jsonb, list<utf8> -> text[], timestamp -> timestamp), minus
-- CloudQuery's _cq_* bookkeeping columns, which no query reads.

CREATE TABLE aws_kms_keys (
    account_id text,
    region text,
    rotation_enabled boolean,
    rotation_not_read_reason text,
    tags jsonb,
    arn text,
    replica_keys jsonb,
    key_id text,
    aws_account_id text,
    cloud_hsm_cluster_id text,
    creation_date timestamp,
    current_key_material_id text,
    custom_key_store_id text,
    customer_master_key_spec text,
    deletion_date timestamp,
    description text,
    enabled boolean,
    encapsulation_algorithms text[],
    encryption_algorithms text[],
    expiration_model text,
    key_agreement_algorithms text[],
    key_manager text,
    key_spec text,
    key_state text,
    key_usage text,
    mac_algorithms text[],
    multi_region boolean,
    multi_region_configuration jsonb,
    origin text,
    pending_deletion_window_in_days bigint,
    signing_algorithms text[],
    valid_to timestamp,
    xks_key_configuration jsonb
);

CREATE TABLE aws_kms_key_grants (
    account_id text,
    region text,
    key_arn text,
    grant_id text,
    constraints jsonb,
    creation_date timestamp,
    grantee_principal text,
    grantee_service_principal text,
    issuing_account text,
    key_id text,
    name text,
    operations text[],
    retiring_principal text,
    retiring_service_principal text,
    grantee_type text,
    retiring_principal_type text,
    grantee_account_id text,
    is_cross_account boolean,
    is_cross_organization boolean,
    allows_create_grant boolean,
    allows_retire_grant boolean,
    allows_decrypt boolean,
    allows_encrypt boolean,
    allows_generate_data_key boolean,
    allows_re_encrypt boolean,
    allows_sign boolean,
    allows_verify boolean,
    allows_mac boolean,
    allows_describe_key boolean,
    allows_derive_shared_secret boolean,
    allows_get_public_key boolean,
    allows_encapsulate boolean,
    allows_decapsulate boolean,
    is_delegating boolean,
    constraint_type text,
    encryption_context_equals jsonb,
    encryption_context_subset jsonb,
    source_arn_constraint text,
    grantee_identity text
);

CREATE TABLE aws_kms_key_policies (
    account_id text,
    region text,
    key_arn text,
    name text,
    policy jsonb,
    allows_iam_policies boolean,
    create_grant_principals text[],
    create_grant_requires_aws_resource boolean,
    allows_put_key_policy_principals text[],
    has_wildcard_principal boolean,
    has_unconditioned_wildcard_principal boolean
);

CREATE TABLE aws_kms_key_policy_statements (
    account_id text,
    region text,
    key_arn text,
    policy_name text,
    statement_index bigint,
    sid text,
    effect text,
    principals jsonb,
    principal_list text[],
    not_principals jsonb,
    actions text[],
    not_actions text[],
    resources text[],
    not_resources text[],
    conditions jsonb,
    allows_create_grant boolean,
    create_grant_requires_aws_resource boolean
);

CREATE TABLE aws_kms_grant_events (
    account_id text,
    region text,
    event_id text,
    event_time timestamp,
    event_name text,
    key_arn text,
    grant_id text,
    caller_arn text,
    caller_type text,
    caller_account_id text,
    invoked_by text,
    is_cross_account_caller boolean,
    caller_identity text,
    grantee_principal text,
    grantee_identity text,
    retiring_principal text,
    operations text[],
    constraints jsonb,
    error_code text,
    error_message text,
    source_ip text,
    user_agent text,
    event jsonb
);

CREATE TABLE aws_kms_key_last_usage (
    account_id text,
    region text,
    key_arn text,
    tracking_start_date timestamp,
    last_used_at timestamp,
    operation text,
    cloudtrail_event_id text,
    kms_request_id text
);

CREATE TABLE aws_kms_keys_shared_with_us (
    account_id text,
    region text,
    key_arn text,
    key_id text,
    owner_account_id text,
    owner_in_organization boolean
);

CREATE TABLE aws_ram_kms_key_shares (
    account_id text,
    region text,
    resource_share_arn text,
    name text,
    status text,
    status_message text,
    allow_external_principals boolean,
    feature_set text,
    creation_time timestamp,
    last_updated_time timestamp,
    principals jsonb,
    key_arns text[],
    permission_arn text,
    permission_version text,
    permission_name text,
    actions text[],
    permission_not_read_reason text
);

CREATE TABLE aws_iam_kms_principals (
    account_id text,
    arn text,
    principal_type text,
    permissions_boundary_arn text,
    statements jsonb,
    boundary_statements jsonb
);

CREATE TABLE aws_organizations_account_policies (
    account_id text,
    organization_id text,
    target_account_id text,
    policy_type text,
    level bigint,
    target_id text,
    policy_id text,
    policy_arn text,
    policy_name text,
    aws_managed boolean,
    content jsonb
);
