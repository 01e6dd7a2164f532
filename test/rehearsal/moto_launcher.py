#!/usr/bin/env python3
"""moto_server for the deploy rehearsal, with the moto 5.2.1 gaps it needs closed.

Each patch makes moto do what CloudFormation and IAM do, so that the rehearsal's
checks read real state; none relaxes a check. The gaps (see the facts file):

1. AWS::IAM::OIDCProvider has no CloudFormation model: it is skipped silently
   (Ref -> null). Added: create, update of client IDs, delete, Ref = ARN.
2. AWS::IAM::Role ignores ManagedPolicyArns, and on update ignores trust and
   policy changes and resets MaxSessionDuration. Create and update now apply
   trust, description, session length and managed policies; delete detaches them.
   Its inline Policies came back from GetRolePolicy as Python reprs, not JSON (the
   CDK bootstrap roles have them); they are now stored as IAM returns them.
3. Stacks created or updated through change sets get no Outputs or exports, and
   executed change sets linger under names that are global across stacks (so a
   second deploy waits on another stack's change set), and deleting a change set
   that does not exist answers HTTP 500 (the CLI deletes its name "if it exists").
   Change sets are now found by ARN or by name within their stack, go with their
   stack when it is deleted, deleting a missing one succeeds, describing one answers
   ChangeSetNotFound (the CLI waits for that after a delete), and executing one (or
   UpdateStack) refreshes the stack's template, outputs and exports, as in CloudFormation.
4. UsePreviousValue reused resolved values (an SSM path came back as the value
   it points to) or answered HTTP 500 for a parameter never passed. It now reuses
   the previous input value or the template default, as CloudFormation does.
5. Outputs are evaluated lazily, so describing a deleted stack (the CLI polls
   it during destroy) created its deleted resources again. A deleted stack now
   has no outputs.
6. DeletionPolicy: moto keeps only "Retain" resources on stack deletion and deletes
   every resource an update removes. CloudFormation keeps Retain and
   RetainExceptOnCreate resources in both cases.
7. Rollback: a resource that fails while a stack is being created made moto answer
   ExecuteChangeSet with an error and leave the stack half built. CloudFormation
   marks the resource CREATE_FAILED, deletes what the operation created (keeping
   Retain resources, deleting RetainExceptOnCreate ones) and ends in
   ROLLBACK_COMPLETE. A failed *update* is not modelled: the launcher answers with
   an error saying so, so that a rehearsal cannot pass on a state AWS would not have.
8. AWS::CloudFormation::StackSet has no CloudFormation model, and moto's StackSet API
   ignores nested OUs, AccountFilterType, OperationPreferences, CallAs and
   AutoDeployment, and keeps service-managed instances out of their accounts'
   CloudFormation. Modelled as CloudFormation documents them: see _patch_stack_sets.
9. sts:AssumeRole succeeds for any caller and any role ARN, even of a role that does
   not exist, so a cross-account hop into a stage account's CDK bootstrap roles would
   work whether or not that account trusts this one. For a caller that is a session of
   a role IAM holds (a pipeline role), the hop is now decided as IAM decides it: see
   _patch_assume_role.

Any other moto version is refused: re-check every patch against its source first.
Usage: moto_launcher.py -H 127.0.0.1 -p PORT (the arguments of moto_server).
"""
import json
import sys

REQUIRED_MOTO = "5.2.1"

# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
# Retain and RetainExceptOnCreate keep a resource when its stack is deleted or an update
# removes it; RetainExceptOnCreate deletes it when the operation that created it rolls back.
KEPT_ON_DELETE = ("Retain", "RetainExceptOnCreate")
KEPT_ON_ROLLBACK = ("Retain",)


class NoOutputs(dict):
    """The outputs of a stack whose resources are gone: evaluating them lazily would create them again."""

    exports = []


def forget_resources(stack):
    """A stack whose resources are gone: outputs and resources are evaluated lazily, so
    describing it (the CLI does while it waits) would otherwise create them again."""
    stack.output_map = NoOutputs()
    stack.resource_map._resource_json_map = {}


class ResourceFailure(Exception):
    """A resource CloudFormation could not create, with the reason it reports."""

    def __init__(self, logical_id, resource_type, reason):
        super().__init__(reason)
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.reason = reason


def stack_event(stack, logical_id, physical_id, resource_type, status, reason=None):
    from moto.cloudformation.models import Event

    stack.events.append(Event(stack.stack_id, stack.name, logical_id, physical_id, resource_type, status, reason, None))


def roll_back_creation(stack, failure):
    """What CloudFormation does when a resource fails while the stack is created: the
    resource is CREATE_FAILED, what the operation created is deleted (Retain resources
    kept), and the stack ends in ROLLBACK_COMPLETE."""
    resources = stack.resource_map
    stack_event(stack, failure.logical_id, "", failure.resource_type, "CREATE_FAILED", failure.reason)
    stack_reason = f"The following resource(s) failed to create: [{failure.logical_id}]. Rollback requested by user."
    stack_event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", stack_reason)
    created = [
        (logical_id, resource)
        for logical_id, resource in resources._parsed_resources.items()
        if logical_id in resources._resource_json_map and resource is not None and not isinstance(resource, str)
    ]
    for logical_id, resource in reversed(created):
        resource_json = resources._resource_json_map[logical_id]
        physical_id = getattr(resource, "physical_resource_id", "")
        if resource_json.get("DeletionPolicy") in KEPT_ON_ROLLBACK:
            stack_event(stack, logical_id, physical_id, resource_json["Type"], "DELETE_SKIPPED")
        else:
            resources._delete_resource(resource, resource_json)
            stack_event(stack, logical_id, physical_id, resource_json["Type"], "DELETE_COMPLETE")
        resources._parsed_resources.pop(logical_id)
    forget_resources(stack)
    stack.status = "ROLLBACK_COMPLETE"
    stack_event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE")


def refresh_exports(backend, stack):
    """After an update, the stack's exports are its outputs' exports: new ones added, gone ones removed."""
    for name in [name for name, export in backend.exports.items() if export.exporting_stack_id == stack.stack_id]:
        del backend.exports[name]
    for export in stack.exports:
        backend.exports[export.name] = export


def find_change_set(backend, name_or_id, stack_name):
    """A change set by ARN, or by name within the named stack."""
    if name_or_id in backend.change_sets:
        return name_or_id
    matches = [
        change_set_id
        for change_set_id, change_set in backend.change_sets.items()
        if change_set.change_set_name == name_or_id and stack_name in (None, change_set.stack.name, change_set.stack_id)
    ]
    return matches[-1] if matches else None


def _require_moto():
    try:
        import moto
    except ImportError:
        sys.exit(f"moto is not installed: pip install 'moto[server]=={REQUIRED_MOTO}'")
    if moto.__version__ != REQUIRED_MOTO:
        sys.exit(
            f"moto {moto.__version__} found, the rehearsal's patches are for {REQUIRED_MOTO}: "
            "install that version or re-check test/rehearsal/moto_launcher.py"
        )


def _patch_oidc_provider():
    from moto.core.common_models import CloudFormationModel
    from moto.iam.exceptions import EntityAlreadyExists
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    def backend(account_id, region_name):
        return iam_backends[account_id][get_partition(region_name)]

    class OidcProviderResource(CloudFormationModel):
        # moto's model metaclass derives the service from the module name.
        __module__ = "moto.iam.models"

        def __init__(self, arn):
            self.arn = arn

        @property
        def physical_resource_id(self):
            return self.arn

        @staticmethod
        def cloudformation_type():
            return "AWS::IAM::OIDCProvider"

        @classmethod
        def has_cfn_attr(cls, attr):
            return attr == "Arn"

        def get_cfn_attribute(self, attribute_name):
            return self.arn

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            properties = cloudformation_json["Properties"]
            iam = backend(account_id, region_name)
            url = properties["Url"].replace("https://", "", 1)
            if any(existing.url == url for existing in iam.open_id_providers.values()):
                # IAM's own message; moto answers "Unknown".
                raise EntityAlreadyExists(f"Provider with url {properties['Url']} already exists.")
            provider = iam.create_open_id_connect_provider(
                properties["Url"],
                properties.get("ThumbprintList", []),
                properties.get("ClientIdList", []),
                properties.get("Tags", []),
            )
            return cls(provider.arn)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
            properties = cloudformation_json["Properties"]
            iam = backend(account_id, region_name)
            provider = iam.get_open_id_connect_provider(original_resource.arn)
            if provider.url != properties["Url"].replace("https://", "", 1):
                # A new URL is a new provider (replacement); UpdateReplacePolicy Retain keeps the old one.
                replacement = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
                if cloudformation_json.get("UpdateReplacePolicy") != "Retain":
                    iam.delete_open_id_connect_provider(original_resource.arn)
                return replacement
            provider.client_id_list = list(properties.get("ClientIdList", []))
            provider.thumbprint_list = list(properties.get("ThumbprintList", []))
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
            backend(account_id, region_name).delete_open_id_connect_provider(resource_name)

    from moto.cloudformation import parsing

    # The model map is cached on first use: build it again now that the model exists.
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    assert "AWS::IAM::OIDCProvider" in parsing.get_model_map()


def _patch_role():
    from moto.iam.models import Role, iam_backends
    from moto.utilities.utils import get_partition

    original_create = Role.create_from_cloudformation_json.__func__

    def sync_managed_policies(iam, role, wanted):
        for arn in [arn for arn in role.managed_policies if arn not in wanted]:
            iam.detach_role_policy(arn, role.name)
        for arn in [arn for arn in wanted if arn not in role.managed_policies]:
            iam.attach_role_policy(arn, role.name)

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        role = original_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        for policy in cloudformation_json["Properties"].get("Policies", []):
            document = policy["PolicyDocument"]
            role.put_policy(policy["PolicyName"], document if isinstance(document, str) else json.dumps(document))
        iam = iam_backends[account_id][get_partition(region_name)]
        try:
            sync_managed_policies(iam, role, cloudformation_json["Properties"].get("ManagedPolicyArns", []))
        except Exception:
            # CloudFormation's role handler leaves no role behind when a policy cannot be attached.
            sync_managed_policies(iam, role, [])
            iam.delete_role(role.name)
            raise
        return role

    def update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        properties = cloudformation_json["Properties"]
        if properties.get("RoleName", original_resource.name) != original_resource.name:
            raise NotImplementedError("renaming a role (a replacement) is not needed by the rehearsal")
        iam = iam_backends[account_id][get_partition(region_name)]
        role = iam.get_role(original_resource.name)
        trust = properties["AssumeRolePolicyDocument"]
        iam.update_assume_role_policy(role.name, trust if isinstance(trust, str) else json.dumps(trust))
        role.description = properties.get("Description", "")
        role.max_session_duration = properties.get("MaxSessionDuration", 3600)
        sync_managed_policies(iam, role, properties.get("ManagedPolicyArns", []))
        return role

    original_delete = Role.delete_from_cloudformation_json.__func__

    def delete(cls, resource_name, cloudformation_json, account_id, region_name):
        iam = iam_backends[account_id][get_partition(region_name)]
        for role in iam.get_roles():
            if role.name == resource_name:
                sync_managed_policies(iam, role, [])
        original_delete(cls, resource_name, cloudformation_json, account_id, region_name)

    Role.create_from_cloudformation_json = classmethod(create)
    Role.update_from_cloudformation_json = classmethod(update)
    Role.delete_from_cloudformation_json = classmethod(delete)


def _patch_change_sets():
    from moto.cloudformation.exceptions import CloudFormationError, ValidationError
    from moto.cloudformation.models import CloudFormationBackend
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult, EmptyResult

    class ChangeSetNotFound(CloudFormationError):
        # What CloudFormation answers, and what the CLI waits for after deleting a change set.
        code = "ChangeSetNotFound"

        def __init__(self, name):
            super().__init__(f"ChangeSet [{name}] does not exist")

    def describe_change_set(self):
        change_set_id = find_change_set(self.cloudformation_backend, self._get_param("ChangeSetName"), self._get_param("StackName"))
        if change_set_id is None:
            raise ChangeSetNotFound(self._get_param("ChangeSetName"))
        return ActionResult(self.cloudformation_backend.change_sets[change_set_id])

    def delete_change_set(self):
        # The CDK CLI deletes its change set name "if it exists" before each deploy; CloudFormation accepts that.
        change_set_id = find_change_set(self.cloudformation_backend, self._get_param("ChangeSetName"), self._get_param("StackName"))
        if change_set_id is not None:
            del self.cloudformation_backend.change_sets[change_set_id]
        return EmptyResult()

    original_execute = CloudFormationBackend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        change_set_id = find_change_set(self, change_set_name, stack_name)
        if change_set_id is None:
            raise ValidationError(change_set_name)
        stack = self.stacks[self.change_sets[change_set_id].stack_id]
        original_execute(self, change_set_id, stack_name)
        stack._parse_template()
        stack.output_map = stack._create_output_map()
        refresh_exports(self, stack)
        # Other change sets of the stack no longer apply to it.
        for other_id in [key for key, other in self.change_sets.items() if other.stack_id == stack.stack_id and key != change_set_id]:
            del self.change_sets[other_id]

    original_delete_stack = CloudFormationBackend.delete_stack

    def delete_stack(self, name_or_stack_id):
        # A stack's change sets go with it; left behind, one would answer for the next stack of that name.
        doomed = [stack_id for stack_id, stack in self.stacks.items() if name_or_stack_id in (stack_id, stack.name)]
        original_delete_stack(self, name_or_stack_id)
        for change_set_id in [key for key, change_set in self.change_sets.items() if change_set.stack_id in doomed]:
            del self.change_sets[change_set_id]

    original_update_stack = CloudFormationBackend.update_stack

    def update_stack(self, name, template, role_arn, parameters, tags):
        stack = original_update_stack(self, name, template, role_arn, parameters, tags)
        refresh_exports(self, stack)
        return stack

    CloudFormationBackend.update_stack = update_stack
    CloudFormationResponse.describe_change_set = describe_change_set
    CloudFormationResponse.delete_change_set = delete_change_set
    CloudFormationBackend.execute_change_set = execute_change_set
    CloudFormationBackend.delete_stack = delete_stack


def _patch_use_previous_value():
    from moto.cloudformation.models import Stack

    def previous_input_values(stack):
        """What UsePreviousValue reuses: each parameter's input value, or its default.

        moto returned resolved values, so an SSM-typed parameter (the CDK's
        BootstrapVersion) came back as the version instead of the SSM path, and
        the update failed resolving "30" as a path; a parameter never passed
        answered HTTP 500.
        """
        template_parameters = stack.template_dict.get("Parameters", {}) or {}
        values = {name: slot.get("Default") for name, slot in template_parameters.items() if "Default" in slot}
        values.update(stack.parameters or {})
        return values

    Stack.stack_parameters = property(previous_input_values)


def _patch_deleted_stack_outputs():
    from moto.cloudformation.models import Stack

    original_delete = Stack.delete

    def delete(self):
        original_delete(self)
        forget_resources(self)

    Stack.delete = delete


def _patch_deletion_policies():
    from moto.cloudformation.parsing import ResourceMap

    def delete(self):
        """Stack deletion: resources the policy keeps leave the stack and stay in the account."""
        for logical_id, resource_json in self._resource_json_map.items():
            if resource_json.get("DeletionPolicy") in KEPT_ON_DELETE:
                self._parsed_resources.pop(logical_id, None)
        remaining = {
            logical_id: resource_json
            for logical_id, resource_json in self._resource_json_map.items()
            if resource_json.get("DeletionPolicy") not in KEPT_ON_DELETE
        }
        kept_json, self._resource_json_map = self._resource_json_map, remaining
        try:
            original_delete(self)
        finally:
            self._resource_json_map = kept_json

    original_delete = ResourceMap.delete
    original_update = ResourceMap.update

    def update(self, template, parameters=None):
        """An update that removes a resource the policy keeps drops it from the stack without deleting it."""
        removed = [logical_id for logical_id in self._resource_json_map if logical_id not in template.get("Resources", {})]
        for logical_id in removed:
            if self._resource_json_map[logical_id].get("DeletionPolicy") in KEPT_ON_DELETE:
                # moto skips deleting a removed resource it never created.
                self._parsed_resources.pop(logical_id, None)
        original_update(self, template, parameters)

    ResourceMap.delete = delete
    ResourceMap.update = update


def _patch_rollback():
    from moto.cloudformation import parsing
    from moto.cloudformation.models import CloudFormationBackend

    original_create_resource = parsing.parse_and_create_resource

    def create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        try:
            return original_create_resource(logical_id, resource_json, resources_map, account_id, region_name)
        except ResourceFailure:
            raise
        except Exception as error:
            reason = getattr(error, "message", None) or str(error)
            raise ResourceFailure(logical_id, resource_json["Type"], reason) from error

    parsing.parse_and_create_resource = create_resource

    patched_execute = CloudFormationBackend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        change_set_id = find_change_set(self, change_set_name, stack_name)
        try:
            patched_execute(self, change_set_name, stack_name)
        except ResourceFailure as failure:
            change_set = self.change_sets[change_set_id]
            if change_set.change_set_type != "CREATE":
                raise NotImplementedError(
                    f"{failure.logical_id} failed during a stack update ({failure.reason}); "
                    "moto_launcher.py does not model an update's rollback"
                ) from failure
            # ExecuteChangeSet itself succeeds: CloudFormation reports the failure in the stack's status and events.
            change_set.execution_status = "EXECUTE_FAILED"
            roll_back_creation(self.stacks[change_set.stack_id], failure)

    CloudFormationBackend.execute_change_set = execute_change_set


STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"


def _patch_stack_sets():
    """Service-managed StackSets as CloudFormation documents them, which moto 5.2.1 has
    no CloudFormation model for (and whose API ignores AccountFilterType, nested OUs,
    OperationPreferences, CallAs and AutoDeployment):

    - Who may: trusted access for StackSets must be on in the organisation; CallAs SELF
      only from the management account, DELEGATED_ADMIN only from an account registered
      for member.org.stacksets.cloudformation.amazonaws.com.
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-activate-trusted-access.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-delegated-admin.html
    - Targets: the accounts of the OUs and of all their child OUs, filtered by
      AccountFilterType; never the management account.
      https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-associate-stackset-with-org.html
    - Operations: failure tolerance and maximum concurrency as counts or percentages
      (rounded down, concurrency at least 1), STRICT_FAILURE_TOLERANCE: concurrency never
      exceeds tolerance + 1 and shrinks with each failure; past the tolerance the rest
      is cancelled and the operation fails. A failed instance is OUTDATED with its reason.
      https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperationPreferences.html
    - Each instance is a stack StackSet-<name>-<uuid> in its account, with that stack's
      outputs; deleting an instance deletes its stack (deletion policies apply).
    - AutoDeployment: an account that moves into a target OU gets an instance, one that
      leaves loses it unless RetainStacksOnAccountRemoval (operation preferences do not apply).
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-manage-auto-deployment.html
    """
    import json as jsonlib
    import math

    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.models import cloudformation_backends
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.common_models import CloudFormationModel
    from moto.core.responses import ActionResult
    from moto.moto_api._internal import mock_random
    from moto.organizations.models import FakeDelegatedAdministrator, OrganizationsBackend, organizations_backends

    FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(STACKSETS_PRINCIPAL)
    rollouts = {}

    def organization_of(account_id):
        """The organisation's backend, seen from any of its accounts, and its management account."""
        for partition_backends in organizations_backends.values():
            for backend in partition_backends.values():
                if backend.org is not None and (backend.account_id == account_id or any(a.id == account_id for a in backend.accounts)):
                    return backend
        raise ValidationError(message=f"Account {account_id} is not in an AWS Organization: a service-managed stack set needs one")

    def check_caller(account_id, call_as):
        org = organization_of(account_id)
        if not any(service["ServicePrincipal"] == STACKSETS_PRINCIPAL for service in org.services):
            raise ValidationError(message="You must enable organizations access to operate a service managed stack set")
        management = org.org.master_account_id
        if call_as == "SELF" and account_id != management:
            raise ValidationError(
                message=f"Account {account_id} is not the management account: a member account manages service-managed stack sets "
                "only as a registered delegated administrator, with CallAs DELEGATED_ADMIN"
            )
        if call_as == "DELEGATED_ADMIN" and not any(admin.account.id == account_id and STACKSETS_PRINCIPAL in admin.services for admin in org.admins):
            raise ValidationError(message=f"Account {account_id} is not registered as a delegated administrator for {STACKSETS_PRINCIPAL}")
        return org

    def tolerance_of(preferences, count_key, percentage_key, accounts, minimum):
        if count_key in preferences:
            return int(preferences[count_key])
        if percentage_key in preferences:
            return max(minimum, math.floor(int(preferences[percentage_key]) * accounts / 100))
        return minimum

    def resolve_targets(owner, groups):
        """(account, region, top OU) for every target of the instance groups, in the order the OUs list them."""
        org = organization_of(owner)
        wanted = []
        for group in groups:
            deployment = group.get("DeploymentTargets", {})
            ous = []
            for ou in deployment.get("OrganizationalUnitIds", []):
                frontier = [ou]
                while frontier:
                    current = frontier.pop(0)
                    ous.append((current, ou))
                    frontier.extend(child.id for child in org.ou if getattr(child, "parent_id", None) == current)
            in_ous = [(account.id, top) for current, top in ous for account in org.accounts if account.parent_id == current]
            listed = deployment.get("Accounts", [])
            kind = deployment.get("AccountFilterType", "NONE")
            if kind == "DIFFERENCE":
                accounts = [pair for pair in in_ous if pair[0] not in listed]
            elif kind == "INTERSECTION":
                accounts = [pair for pair in in_ous if pair[0] in listed]
            elif kind == "UNION":
                accounts = in_ous + [(account, None) for account in listed if account not in [a for a, _ in in_ous]]
            else:
                accounts = in_ous
            for region in group.get("Regions", []):
                for account, ou in accounts:
                    # StackSets never deploys to the management account.
                    if account != org.org.master_account_id and (account, region) not in [(a, r) for a, r, _ in wanted]:
                        wanted.append((account, region, ou))
        return wanted

    class Instance:
        """A service-managed stack instance: its account's stack, and how the last operation left it."""

        def __init__(self, rollout, account, region, ou):
            self.rollout, self.account, self.region, self.ou = rollout, account, region, ou
            self.stack_id = None
            self.status, self.detailed, self.reason = "OUTDATED", "PENDING", None

        def to_dict(self):
            summary = {
                "StackSetId": self.rollout.stackset.id,
                "Region": self.region,
                "Account": self.account,
                "Status": self.status,
                "StackInstanceStatus": {"DetailedStatus": self.detailed},
                "OrganizationalUnitId": self.ou,
            }
            if self.stack_id is not None:
                summary["StackId"] = self.stack_id
            if self.reason is not None:
                summary["StatusReason"] = self.reason
            return summary

    class Rollout:
        def __init__(self, stackset, owner, region, properties):
            self.stackset, self.owner, self.region = stackset, owner, region
            self.properties = properties
            self.instances = stackset.instances.stack_instances
            rollouts[stackset.id] = self

        @property
        def template(self):
            return self.properties["TemplateBody"]

        def targets(self):
            return resolve_targets(self.owner, self.properties.get("StackInstancesGroup", []))

        def instance(self, account, region):
            return next((i for i in self.instances if i.account == account and i.region == region), None)

        def apply(self, properties, template_changed, action):
            """A create or update of the resource: remove what is no longer targeted, deploy the rest."""
            self.properties = properties
            self.stackset.template = self.template
            wanted = self.targets()
            for instance in [i for i in self.instances if (i.account, i.region) not in [(a, r) for a, r, _ in wanted]]:
                self.remove(instance)
            deploy = [(a, r, ou) for a, r, ou in wanted if template_changed or self.instance(a, r) is None or self.instance(a, r).status != "CURRENT"]
            return self.run(deploy, action)

        def run(self, targets, action):
            """One operation over the targets, with the stack set's operation preferences."""
            preferences = self.properties.get("OperationPreferences", {})
            tolerance = tolerance_of(preferences, "FailureToleranceCount", "FailureTolerancePercentage", len(targets), 0)
            concurrent = tolerance_of(preferences, "MaxConcurrentCount", "MaxConcurrentPercentage", len(targets), 1)
            failures, queue = 0, list(targets)
            while queue:
                allowed = min(concurrent, tolerance + 1 - failures)
                if allowed <= 0:
                    for account, region, ou in queue:
                        instance = self.instance(account, region) or self.add(account, region, ou)
                        instance.status, instance.detailed, instance.reason = "OUTDATED", "CANCELLED", "Cancelled since failure tolerance has exceeded"
                    break
                batch, queue = queue[:allowed], queue[allowed:]
                failures += sum(0 if self.deploy(*target) else 1 for target in batch)
            status = "FAILED" if failures > tolerance else "SUCCEEDED"
            operation_id = str(mock_random.uuid4())
            self.stackset._create_operation(operation_id, action, status, sorted({a for a, _, _ in targets}), sorted({r for _, r, _ in targets}))
            return status, operation_id

        def add(self, account, region, ou):
            instance = Instance(self, account, region, ou)
            self.instances.append(instance)
            return instance

        def deploy(self, account, region, ou):
            instance = self.instance(account, region) or self.add(account, region, ou)
            backend = cloudformation_backends[account][region]
            body = jsonlib.loads(self.template)
            names_roles = any("RoleName" in r.get("Properties", {}) for r in body.get("Resources", {}).values() if r.get("Type") == "AWS::IAM::Role")
            if names_roles and "CAPABILITY_NAMED_IAM" not in self.properties.get("Capabilities", []):
                instance.status, instance.detailed, instance.reason = "OUTDATED", "FAILED", "Requires capabilities : [CAPABILITY_NAMED_IAM]"
                return False
            stack = backend.stacks.get(instance.stack_id) if instance.stack_id else None
            if stack is not None and stack.status != "ROLLBACK_COMPLETE":
                # A failed update of a member stack would need the update rollback this launcher does not model.
                backend.update_stack(stack.stack_id, self.template, None, [], None)
            else:
                if stack is not None:
                    backend.delete_stack(stack.stack_id)
                name = f"StackSet-{self.stackset.name}-{mock_random.uuid4()}"
                try:
                    stack = backend.create_stack(name=name, template=self.template, parameters={})
                except ResourceFailure as failure:
                    stack = next(s for s in backend.stacks.values() if s.name == name)
                    roll_back_creation(stack, failure)
                    instance.stack_id = stack.stack_id
                    instance.status, instance.detailed, instance.reason = "OUTDATED", "FAILED", f"ResourceLogicalId:{failure.logical_id}, ResourceType:{failure.resource_type}, ResourceStatusReason:{failure.reason}"
                    return False
            instance.stack_id = stack.stack_id
            instance.status, instance.detailed, instance.reason = "CURRENT", "SUCCEEDED", None
            return True

        def remove(self, instance, retain_stack=False):
            if instance.stack_id is not None and not retain_stack:
                cloudformation_backends[instance.account][instance.region].delete_stack(instance.stack_id)
            self.instances.remove(instance)

        def delete_all(self):
            removed = [(i.account, i.region) for i in self.instances]
            for instance in list(self.instances):
                self.remove(instance)
            self.stackset._create_operation(str(mock_random.uuid4()), "DELETE", "SUCCEEDED", sorted({a for a, _ in removed}), sorted({r for _, r in removed}))
            self.stackset.delete()
            rollouts.pop(self.stackset.id, None)

    class StackSetResource(CloudFormationModel):
        # moto's model metaclass derives the service from the module name.
        __module__ = "moto.cloudformation.models"

        def __init__(self, rollout):
            self.rollout = rollout

        @property
        def physical_resource_id(self):
            return self.rollout.stackset.id

        @staticmethod
        def cloudformation_type():
            return "AWS::CloudFormation::StackSet"

        @staticmethod
        def cloudformation_name_type():
            return "StackSetName"

        @classmethod
        def has_cfn_attr(cls, attr):
            return attr == "StackSetId"

        def get_cfn_attribute(self, attribute_name):
            return self.rollout.stackset.id

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            properties = cloudformation_json["Properties"]
            if properties.get("PermissionModel") != "SERVICE_MANAGED":
                raise NotImplementedError("moto_launcher.py models only service-managed stack sets")
            check_caller(account_id, properties.get("CallAs", "SELF"))
            backend = cloudformation_backends[account_id][region_name]
            stackset = backend.create_stack_set(
                name=properties["StackSetName"], template=properties["TemplateBody"], parameters={}, tags={},
                permission_model="SERVICE_MANAGED", admin_role=None, exec_role=None, description=properties.get("Description"),
            )
            rollout = Rollout(stackset, account_id, region_name, properties)
            status, operation_id = rollout.apply(properties, template_changed=True, action="CREATE")
            if status == "FAILED":
                # The resource handler cleans up what it made before reporting the failure.
                reasons = [f"{i.account}: {i.reason}" for i in rollout.instances if i.detailed == "FAILED"]
                rollout.delete_all()
                raise Exception(f"Stack set operation {operation_id} failed beyond its failure tolerance: {'; '.join(reasons)}")
            return cls(rollout)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
            properties = cloudformation_json["Properties"]
            rollout = original_resource.rollout
            if properties["StackSetName"] != rollout.stackset.name:
                raise NotImplementedError("renaming a stack set (a replacement) is not modelled by moto_launcher.py")
            check_caller(account_id, properties.get("CallAs", "SELF"))
            status, operation_id = rollout.apply(properties, template_changed=properties["TemplateBody"] != rollout.template, action="UPDATE")
            if status == "FAILED":
                raise NotImplementedError(f"stack set operation {operation_id} failed during a stack update; moto_launcher.py does not model an update's rollback")
            return original_resource

        def delete(self, account_id, region_name):
            self.rollout.delete_all()

    from moto.cloudformation import parsing

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    assert "AWS::CloudFormation::StackSet" in parsing.get_model_map()

    original_update_instances = CloudFormationResponse.update_stack_instances

    def update_stack_instances(self):
        """Retrying instances (the README's remedy): redeploys the targeted existing instances."""
        stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
        rollout = rollouts.get(stackset.id)
        if rollout is None:
            return original_update_instances(self)
        check_caller(self.current_account, self._get_param("CallAs") or "SELF")
        deployment = self._get_params().get("DeploymentTargets", {})
        regions = self._get_param("Regions", [])
        scope = resolve_targets(rollout.owner, [{"DeploymentTargets": deployment, "Regions": regions}])
        targets = [(a, r, ou) for a, r, ou in scope if rollout.instance(a, r) is not None]
        status, operation_id = rollout.run(targets, "UPDATE")
        return ActionResult({"OperationId": operation_id})

    CloudFormationResponse.update_stack_instances = update_stack_instances

    def auto_deploy(org_backend, account_id):
        for rollout in list(rollouts.values()):
            if not rollout.properties.get("AutoDeployment", {}).get("Enabled") or organization_of(rollout.owner) is not org_backend:
                continue
            wanted = rollout.targets()
            for target in [t for t in wanted if t[0] == account_id and rollout.instance(t[0], t[1]) is None]:
                rollout.deploy(*target)
            for instance in [i for i in rollout.instances if i.account == account_id and (i.account, i.region) not in [(a, r) for a, r, _ in wanted]]:
                rollout.remove(instance, retain_stack=rollout.properties["AutoDeployment"].get("RetainStacksOnAccountRemoval", False))

    original_move = OrganizationsBackend.move_account

    def move_account(self, **kwargs):
        original_move(self, **kwargs)
        auto_deploy(self, kwargs["AccountId"])

    OrganizationsBackend.move_account = move_account


def _patch_model_data_by_service():
    from urllib.parse import parse_qs, urlparse

    from moto.core import model_instances
    from moto.moto_api._internal import urls

    everything = urls.response_instance.model_data

    def model_data(request, full_url, headers):
        wanted = parse_qs(urlparse(full_url).query).get("service")
        if not wanted:
            return everything(request, full_url, headers)
        # The same serialisation as moto's, for the named services only.
        results = {}
        for service in [service for service in sorted(model_instances.model_data) if service in wanted]:
            results[service] = {}
            for name, model in sorted(model_instances.model_data[service].items()):
                instances = []
                for instance in model.instances_tracked:
                    fields = {}
                    for attr in [attr for attr in dir(instance) if not attr.startswith("_")]:
                        try:
                            value = getattr(instance, attr)
                            json.dumps(value)
                        except (TypeError, AttributeError, ValueError):
                            continue
                        fields[attr] = value
                    instances.append(fields)
                results[service][name] = instances
        return 200, {"Content-Type": "application/javascript"}, json.dumps(results)

    # The server builds its routes from this table when it starts, after the patches.
    urls.url_paths["{0}/moto-api/data.json"] = model_data


# https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html#cfn-pseudo-param-novalue
def _patch_no_value_in_lists():
    from moto.cloudformation import parsing

    original_clean_json = parsing.clean_json

    def clean_json(resource_json, resources_map):
        if isinstance(resource_json, list):
            cleaned = [(value, clean_json(value, resources_map)) for value in resource_json]
            # An intrinsic that resolved to AWS::NoValue removes its element.
            return [result for value, result in cleaned if not (result is None and isinstance(value, dict))]
        return original_clean_json(resource_json, resources_map)

    # clean_json calls itself through the module's name, so nested lists are cleaned too.
    parsing.clean_json = clean_json


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
def _patch_assume_role():
    """sts:AssumeRole by a session of a role IAM holds, decided as IAM documents it:

    - the target role must exist;
    - its trust policy must allow sts:AssumeRole for the caller: a principal naming the
      caller's account (the account ID or its root ARN) or the caller's role;
    - and the caller's own identity policies (inline and attached) must allow
      sts:AssumeRole on the target's ARN, unless the trust names the caller's role itself
      in the same account. A trust that names an account delegates the decision to that
      account's identity policies; across accounts, both policies must allow.
    An explicit Deny in either wins. A condition other than Null on sts:ExternalId (the
    CDK bootstrap template's) is not modelled: the call fails saying so, so that no
    rehearsal passes on a decision the launcher cannot make. Callers with static keys
    (the rehearsals' administrators) and sessions of roles IAM does not hold (an
    organisation's access role, which moto does not create) keep moto's behaviour.
    """
    import re

    from moto.iam.models import get_account_id_from, iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import sts_backends
    from moto.sts.responses import TokenResponse

    class AccessDenied(STSClientError):
        code = "AccessDenied"

    def as_list(value):
        return value if isinstance(value, list) else [value]

    def matches(pattern, value):
        # IAM's ARN and action patterns: * any run of characters, ? one; actions case-insensitive.
        expression = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
        return re.fullmatch(expression, value, re.IGNORECASE if value.startswith("sts:") else 0) is not None

    def applies(statement, action, resource, principal_matches, context):
        if not isinstance(statement, dict):
            raise NotImplementedError(f"a policy statement that is not an object ({statement!r}) deciding sts:AssumeRole")
        actions = statement.get("Action")
        if actions is not None and not any(matches(a, action) for a in as_list(actions)):
            return False
        if "NotAction" in statement and any(matches(a, action) for a in as_list(statement["NotAction"])):
            return False
        if resource is not None:
            if "Resource" in statement and not any(matches(r, resource) for r in as_list(statement["Resource"])):
                return False
            if "NotResource" in statement and any(matches(r, resource) for r in as_list(statement["NotResource"])):
                return False
        if principal_matches is not None and not principal_matches(statement):
            return False
        for operator, keys in (statement.get("Condition") or {}).items():
            for key, wanted in keys.items():
                if operator != "Null" or key != "sts:ExternalId":
                    raise NotImplementedError(f"moto_launcher.py does not model the condition {operator} on {key} in a policy deciding sts:AssumeRole")
                if any(str(value).lower() != str(key not in context).lower() for value in as_list(wanted)):
                    return False
        return True

    def decide(documents, action, resource, principal_matches, context):
        """allow, deny or neutral, over policy documents as IAM holds them."""
        verdict = "neutral"
        for document in documents:
            for statement in as_list((json.loads(document) if isinstance(document, str) else document).get("Statement", [])):
                if applies(statement, action, resource, principal_matches, context):
                    if statement.get("Effect") == "Deny":
                        return "deny"
                    verdict = "allow"
        return verdict

    def identity_documents(role):
        documents = list(role.policies.values())
        for policy in role.managed_policies.values():
            documents.extend(version.document for version in policy.versions if version.is_default)
        return documents

    original_assume_role = TokenResponse.assume_role

    def assume_role(self):
        access_key = self.get_access_key()
        caller_account = get_account_id_from(access_key)
        session = sts_backends[caller_account]["aws"].get_assumed_role_from_access_key(access_key)
        caller_role = None if session is None else next((role for role in iam_backends[caller_account]["aws"].roles.values() if role.arn == session.role_arn), None)
        if caller_role is None:
            return original_assume_role(self)
        target_arn = self._get_param("RoleArn")
        refused = AccessDenied(f"User: {session.arn} is not authorized to perform: sts:AssumeRole on resource: {target_arn}")
        target_account = target_arn.split(":")[4]
        target = next((role for role in iam_backends[target_account]["aws"].roles.values() if role.arn == target_arn), None)
        if target is None:
            raise refused
        context = {"sts:ExternalId": True} if self._get_param("ExternalId") else {}
        caller_root = f"arn:aws:iam::{caller_account}:root"

        def names_caller(names_role_itself):
            def principal_matches(statement):
                principals = as_list((statement.get("Principal") or {}).get("AWS", []))
                if names_role_itself:
                    return caller_role.arn in principals
                return "*" in principals or caller_account in principals or caller_root in principals or caller_role.arn in principals
            return principal_matches

        trust = decide([target.assume_role_policy_document], "sts:AssumeRole", None, names_caller(False), context)
        if trust != "allow":
            raise refused
        names_role_itself = target_account == caller_account and decide([target.assume_role_policy_document], "sts:AssumeRole", None, names_caller(True), context) == "allow"
        identity = decide(identity_documents(caller_role), "sts:AssumeRole", target_arn, None, context)
        if identity == "deny" or (identity != "allow" and not names_role_itself):
            raise refused
        return original_assume_role(self)

    TokenResponse.assume_role = assume_role


def main():
    _require_moto()
    _patch_oidc_provider()
    _patch_role()
    _patch_change_sets()
    _patch_use_previous_value()
    _patch_deleted_stack_outputs()
    _patch_deletion_policies()
    _patch_rollback()
    _patch_stack_sets()
    _patch_no_value_in_lists()
    _patch_assume_role()
    _patch_model_data_by_service()
    from moto.server import main as moto_server_main

    moto_server_main(sys.argv[1:])


if __name__ == "__main__":
    main()
