#!/usr/bin/env python3
"""moto_server for the deploy rehearsal, with the moto 5.2.1 gaps it needs closed.

Each patch makes moto do what CloudFormation and IAM do, so that the rehearsal's
checks read real state; none relaxes a check. The gaps (see the facts file):

1. AWS::IAM::OIDCProvider has no CloudFormation model: it is skipped silently
   (Ref -> null). Added: create, update of client IDs, delete, Ref = ARN.
2. AWS::IAM::Role ignores ManagedPolicyArns, and on update ignores trust and
   policy changes and resets MaxSessionDuration. Create and update now apply
   trust, description, session length and managed policies; delete detaches them.
3. Stacks created or updated through change sets get no Outputs or exports, and
   executed change sets linger under names that are global across stacks (so a
   second deploy waits on another stack's change set), and deleting a change set
   that does not exist answers HTTP 500 (the CLI deletes its name "if it exists").
   Change sets are now found by ARN or by name within their stack, go with their
   stack when it is deleted, deleting a missing one succeeds, describing one answers ChangeSetNotFound (the CLI waits
   for that after a delete), and executing one refreshes the stack's template,
   outputs and exports, as in CloudFormation.
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
        for export in stack.exports:
            self.exports[export.name] = export
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
    from moto.cloudformation.models import CloudFormationBackend, Event

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

    def event(stack, logical_id, physical_id, resource_type, status, reason=None):
        stack.events.append(Event(stack.stack_id, stack.name, logical_id, physical_id, resource_type, status, reason, None))

    def roll_back_creation(stack, failure):
        """What CloudFormation does when a resource fails while the stack is created."""
        resources = stack.resource_map
        event(stack, failure.logical_id, "", failure.resource_type, "CREATE_FAILED", failure.reason)
        stack_reason = f"The following resource(s) failed to create: [{failure.logical_id}]. Rollback requested by user."
        event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", stack_reason)
        created = [
            (logical_id, resource)
            for logical_id, resource in resources._parsed_resources.items()
            if logical_id in resources._resource_json_map and resource is not None and not isinstance(resource, str)
        ]
        for logical_id, resource in reversed(created):
            resource_json = resources._resource_json_map[logical_id]
            physical_id = getattr(resource, "physical_resource_id", "")
            if resource_json.get("DeletionPolicy") in KEPT_ON_ROLLBACK:
                event(stack, logical_id, physical_id, resource_json["Type"], "DELETE_SKIPPED")
            else:
                resources._delete_resource(resource, resource_json)
                event(stack, logical_id, physical_id, resource_json["Type"], "DELETE_COMPLETE")
            resources._parsed_resources.pop(logical_id)
        forget_resources(stack)
        stack.status = "ROLLBACK_COMPLETE"
        event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE")

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


def main():
    _require_moto()
    _patch_oidc_provider()
    _patch_role()
    _patch_change_sets()
    _patch_use_previous_value()
    _patch_deleted_stack_outputs()
    _patch_deletion_policies()
    _patch_rollback()
    from moto.server import main as moto_server_main

    moto_server_main(sys.argv[1:])


if __name__ == "__main__":
    main()
