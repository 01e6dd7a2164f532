/**
 * What a role's permissions are judged against: privilege-escalation paths (a principal
 * that holds one can make itself, or a role it controls, account admin) and deploy rights.
 * One capability per entry, each with its source, like a rule pack. The escalation paths
 * follow Cloudsplaining's catalogue (salesforce/cloudsplaining, `PRIVILEGE_ESCALATION_METHODS`
 * in cloudsplaining/shared/constants.py at 5012eab, itself Rhino Security Labs' research
 * extended with DataDog's pathfinding.cloud, every path of which is here), plus the SSM
 * edges of nccgroup/PMapper (principalmapper/graphing/ssm_edges.py at 91d2e60), the roles
 * AWS sets up with AdministratorAccess and, from this project, deploying through the CDK
 * deploy role; then write rights short of those.
 */
export interface Capability {
  /** A stable name for people and machines. */
  readonly id: string;
  /**
   * `escalation`: account admin within reach; `deploy`: deploys whatever CloudFormation's
   * execution role allows; `writes`: changes data or other principals' rights, short of
   * either (see also write-actions.ts, the tier's other half).
   */
  readonly tier: 'escalation' | 'deploy' | 'writes';
  /** Every action the path needs; the role holds the capability when each is allowed on some resource of `resources`. */
  readonly actions: readonly string[];
  /**
   * Which resources count, each decided over every resource of that kind (never sample ARNs):
   * `any` some resource; `unnamed-role` a role of the account with a name the policies do not
   * single out ("any role"); `admin-roles` the roles AWS sets up with AdministratorAccess in
   * member accounts; `cdk-deploy-role`, `cdk-publishing-roles` the CDK bootstrap roles of
   * those kinds, any qualifier and region (cdk-role-reach.ts); `other-roles` any role that is
   * not a CDK bootstrap role, whose own rights this audit does not see.
   */
  readonly resources: 'any' | 'unnamed-role' | 'admin-roles' | 'cdk-deploy-role' | 'cdk-publishing-roles' | 'other-roles';
  /** What holding it lets a step do, for the finding's line. */
  readonly what: string;
  readonly source: string;
}

const CLOUDSPLAINING = 'https://github.com/salesforce/cloudsplaining/blob/5012eab1f7429ef3702e8f8379ed0a207ba77804/cloudsplaining/shared/constants.py';
const PATH = (id: string) => `https://pathfinding.cloud/paths/${id}`;
const PMAPPER_SSM = 'https://github.com/nccgroup/PMapper/blob/91d2e60102bdadf346d77b60d90ddaa4a678f037/principalmapper/graphing/ssm_edges.py';

/**
 * Roles AWS creates with AdministratorAccess: in accounts an organisation creates
 * (Organizations User Guide, "Accessing member accounts"), in accounts Control Tower enrols
 * (AWSControlTowerExecution), and the execution role self-managed StackSets use.
 */
export const ADMIN_ROLE_NAMES: readonly string[] = ['OrganizationAccountAccessRole', 'AWSControlTowerExecution', 'AWSCloudFormationStackSetExecutionRole'];

/** Stands for every action no policy names (decided over all of them: PermissionReach.onSomeUnnamedAction). */
export const UNNAMED_ACTION = '<an action no policy names>';

const passRoleTo = (id: string, actions: readonly string[], what: string, path: string): Capability => ({
  id,
  tier: 'escalation',
  actions: ['iam:PassRole', ...actions],
  resources: 'any',
  what: `pass a role to ${what} that runs its code`,
  source: PATH(path),
});

const iamWrite = (action: string, what: string, path: string): Capability => ({ id: action, tier: 'escalation', actions: [action], resources: 'any', what, source: path === '' ? CLOUDSPLAINING : PATH(path) });

export const PRIVILEGE_CATALOGUE: readonly Capability[] = [
  { id: 'every-action', tier: 'escalation', actions: [UNNAMED_ACTION, 'iam:CreateUser'], resources: 'any', what: 'do anything (every action, IAM included, as AdministratorAccess does)', source: CLOUDSPLAINING },
  // IAM permissions on policies, roles, users and groups (Cloudsplaining's categories 1 to 3).
  iamWrite('iam:PutRolePolicy', 'write an inline policy into a role, itself included', 'iam-005'),
  iamWrite('iam:AttachRolePolicy', 'attach any managed policy to a role, itself included', 'iam-009'),
  iamWrite('iam:CreatePolicyVersion', 'rewrite a managed policy it holds', 'iam-001'),
  iamWrite('iam:SetDefaultPolicyVersion', 'switch a managed policy to a broader version', ''),
  iamWrite('iam:UpdateAssumeRolePolicy', 'rewrite who may assume a role', 'iam-012'),
  iamWrite('iam:PutUserPolicy', 'write an inline policy into a user', 'iam-007'),
  iamWrite('iam:AttachUserPolicy', 'attach any managed policy to a user', 'iam-008'),
  iamWrite('iam:PutGroupPolicy', 'write an inline policy into a group', 'iam-011'),
  iamWrite('iam:AttachGroupPolicy', 'attach any managed policy to a group', 'iam-010'),
  iamWrite('iam:AddUserToGroup', 'add a user to an admin group', 'iam-013'),
  iamWrite('iam:CreateAccessKey', "create an access key for another user", 'iam-002'),
  iamWrite('iam:CreateLoginProfile', "set a console password for another user", 'iam-004'),
  iamWrite('iam:UpdateLoginProfile', "change another user's console password", 'iam-006'),
  {
    id: 'sts:AssumeRole on any role',
    tier: 'escalation',
    actions: ['sts:AssumeRole'],
    resources: 'unnamed-role',
    what: 'assume any role that trusts the account (the CDK deploy role and every other)',
    source: PATH('sts-001'),
  },
  {
    id: 'sts:AssumeRole on an admin role AWS sets up',
    tier: 'escalation',
    actions: ['sts:AssumeRole'],
    resources: 'admin-roles',
    what: 'assume OrganizationAccountAccessRole, AWSControlTowerExecution or AWSCloudFormationStackSetExecutionRole, which AWS creates with AdministratorAccess',
    source: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html',
  },
  // iam:PassRole to a service that runs code (Cloudsplaining's category 4).
  passRoleTo('iam:PassRole + lambda:CreateFunction', ['lambda:CreateFunction'], 'a new Lambda function', 'lambda-001'),
  passRoleTo('iam:PassRole + ec2:RunInstances', ['ec2:RunInstances'], 'a new EC2 instance', 'ec2-001'),
  passRoleTo('iam:PassRole + ec2:RequestSpotInstances', ['ec2:RequestSpotInstances'], 'a new spot instance', 'ec2-003'),
  passRoleTo('iam:PassRole + cloudformation:CreateStack', ['cloudformation:CreateStack'], 'a new CloudFormation stack', 'cloudformation-001'),
  passRoleTo('iam:PassRole + cloudformation:CreateStackSet', ['cloudformation:CreateStackSet'], 'a new StackSet', 'cloudformation-003'),
  passRoleTo('iam:PassRole + cloudformation:UpdateStackSet', ['cloudformation:UpdateStackSet'], 'a StackSet', 'cloudformation-004'),
  passRoleTo('iam:PassRole + glue:CreateDevEndpoint', ['glue:CreateDevEndpoint'], 'a Glue development endpoint', 'glue-001'),
  passRoleTo('iam:PassRole + glue:CreateJob', ['glue:CreateJob'], 'a new Glue job', 'glue-003'),
  passRoleTo('iam:PassRole + glue:UpdateJob', ['glue:UpdateJob'], 'a Glue job', 'glue-005'),
  passRoleTo('iam:PassRole + codebuild:CreateProject', ['codebuild:CreateProject'], 'a new CodeBuild project', 'codebuild-001'),
  passRoleTo('iam:PassRole + ecs:RegisterTaskDefinition', ['ecs:RegisterTaskDefinition'], 'a new ECS task definition', 'ecs-003'),
  passRoleTo('iam:PassRole + datapipeline:CreatePipeline', ['datapipeline:CreatePipeline'], 'a new Data Pipeline', 'datapipeline-001'),
  passRoleTo('iam:PassRole + sagemaker:CreateNotebookInstance', ['sagemaker:CreateNotebookInstance'], 'a SageMaker notebook', 'sagemaker-001'),
  passRoleTo('iam:PassRole + sagemaker:CreateTrainingJob', ['sagemaker:CreateTrainingJob'], 'a SageMaker training job', 'sagemaker-002'),
  passRoleTo('iam:PassRole + sagemaker:CreateProcessingJob', ['sagemaker:CreateProcessingJob'], 'a SageMaker processing job', 'sagemaker-003'),
  passRoleTo('iam:PassRole + apprunner:CreateService', ['apprunner:CreateService'], 'an App Runner service', 'apprunner-001'),
  passRoleTo('iam:PassRole + bedrock-agentcore:CreateCodeInterpreter', ['bedrock-agentcore:CreateCodeInterpreter'], 'a Bedrock code interpreter', 'bedrock-001'),
  // Changing code that already runs with a role (Cloudsplaining's category 5, pathfinding.cloud's existing-resource paths).
  { id: 'lambda:UpdateFunctionCode', tier: 'escalation', actions: ['lambda:UpdateFunctionCode'], resources: 'any', what: "replace the code of a Lambda function that runs with its role", source: PATH('lambda-003') },
  { id: 'glue:UpdateDevEndpoint', tier: 'escalation', actions: ['glue:UpdateDevEndpoint'], resources: 'any', what: "take over a Glue development endpoint and its role", source: PATH('glue-002') },
  {
    id: 'cloudformation:CreateChangeSet + ExecuteChangeSet',
    tier: 'escalation',
    actions: ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet'],
    resources: 'any',
    what: "change a stack through the stack's own service role",
    source: PATH('cloudformation-005'),
  },
  {
    id: 'cloudformation:UpdateStack',
    tier: 'escalation',
    actions: ['cloudformation:UpdateStack'],
    resources: 'any',
    // UpdateStack without RoleARN reuses the stack's role: a CDK stack's is cdk-<qualifier>-cfn-exec-role, AdministratorAccess by default.
    what: "change a stack through the role it already has (a CDK stack's: the execution role)",
    source: PATH('cloudformation-002'),
  },
  { id: 'codebuild:StartBuild', tier: 'escalation', actions: ['codebuild:StartBuild'], resources: 'any', what: "run a build with its own buildspec (buildspecOverride) and the project's role", source: PATH('codebuild-002') },
  { id: 'codebuild:StartBuildBatch', tier: 'escalation', actions: ['codebuild:StartBuildBatch'], resources: 'any', what: "run a batch build with its own buildspec and the project's role", source: PATH('codebuild-003') },
  { id: 'apprunner:UpdateService', tier: 'escalation', actions: ['apprunner:UpdateService'], resources: 'any', what: "change what an App Runner service runs, with the service's instance role", source: PATH('apprunner-002') },
  {
    id: 'bedrock-agentcore:StartCodeInterpreterSession + InvokeCodeInterpreter',
    tier: 'escalation',
    actions: ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'],
    resources: 'any',
    what: "run code in an existing Bedrock code interpreter with its role (Cloudsplaining's AccessExistingBedrockCodeInterpreterSession)",
    source: PATH('bedrock-002'),
  },
  {
    id: 'sagemaker notebook lifecycle configuration',
    tier: 'escalation',
    actions: ['sagemaker:CreateNotebookInstanceLifecycleConfig', 'sagemaker:StopNotebookInstance', 'sagemaker:UpdateNotebookInstance', 'sagemaker:StartNotebookInstance'],
    resources: 'any',
    what: "run a start-up script in an existing SageMaker notebook with its role (Cloudsplaining's UpdateSageMakerNotebookLifecycleConfig)",
    source: PATH('sagemaker-005'),
  },
  {
    id: 'ec2:ModifyInstanceAttribute + StopInstances + StartInstances',
    tier: 'escalation',
    actions: ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'],
    resources: 'any',
    what: "rewrite an instance's user data and so run code with its role",
    source: PATH('ec2-002'),
  },
  {
    id: 'ec2:CreateLaunchTemplateVersion + ModifyLaunchTemplate',
    tier: 'escalation',
    actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'],
    resources: 'any',
    what: 'rewrite a launch template that instances with roles start from',
    source: PATH('ec2-004'),
  },
  { id: 'ec2-instance-connect:SendSSHPublicKey', tier: 'escalation', actions: ['ec2-instance-connect:SendSSHPublicKey'], resources: 'any', what: 'log in to an instance and use its role', source: PATH('ec2instanceconnect-003') },
  { id: 'ecs:ExecuteCommand', tier: 'escalation', actions: ['ecs:ExecuteCommand'], resources: 'any', what: 'run commands in a task and use its role', source: PATH('ecs-006') },
  { id: 'ssm:SendCommand', tier: 'escalation', actions: ['ssm:SendCommand'], resources: 'any', what: 'run commands on an instance and use its role', source: PMAPPER_SSM },
  { id: 'ssm:StartSession', tier: 'escalation', actions: ['ssm:StartSession'], resources: 'any', what: 'open a shell on an instance and use its role', source: PMAPPER_SSM },
  {
    id: 'sagemaker:CreatePresignedNotebookInstanceUrl',
    tier: 'escalation',
    actions: ['sagemaker:CreatePresignedNotebookInstanceUrl'],
    resources: 'any',
    what: 'open a SageMaker notebook and use its role',
    source: PATH('sagemaker-004'),
  },
  // Deploy rights: the CDK deploy role hands templates to CloudFormation's execution role.
  {
    id: 'the CDK deploy role',
    tier: 'deploy',
    actions: ['sts:AssumeRole'],
    resources: 'cdk-deploy-role',
    what: "deploy whatever the bootstrap's CloudFormation execution policy allows (AdministratorAccess by default)",
    source: 'https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html',
  },
  // Writes short of those (the rest of the tier: write-actions.ts).
  {
    id: 'the CDK publishing roles',
    tier: 'writes',
    actions: ['sts:AssumeRole'],
    resources: 'cdk-publishing-roles',
    what: 'overwrite the file and image assets that later deploys publish (the bootstrap bucket and repository)',
    source: 'https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html',
  },
  {
    id: 'sts:AssumeRole on other roles',
    tier: 'writes',
    actions: ['sts:AssumeRole'],
    resources: 'other-roles',
    what: "assume roles this audit does not judge (their rights are in their own policies: audit them too)",
    source: PATH('sts-001'),
  },
];
