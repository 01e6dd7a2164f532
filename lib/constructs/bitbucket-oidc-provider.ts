import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { WORKSPACE_SLUG, bitbucketIssuerUrl } from '../bitbucket/issuer';

export interface BitbucketOidcProviderProps {
  /** The workspace slug (ID) whose Pipelines tokens this provider verifies. */
  readonly workspace: string;
  /**
   * The audiences (`aud`) the provider accepts, such as
   * `ari:cloud:bitbucket::workspace/<uuid>`.
   */
  readonly audiences: readonly string[];
  /**
   * What happens to the provider when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE - kept when the stack is
   * deleted or the provider replaced (roles elsewhere may trust it, and IAM allows
   * one provider per URL per account), but deleted when the deploy that created it
   * rolls back, so that the retry does not fail on "Provider ... already exists"
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The IAM OpenID Connect provider for one Bitbucket workspace's Pipelines issuer,
 * as a plain `AWS::IAM::OIDCProvider` (no Lambda, no asset). IAM validates the
 * issuer's TLS chain itself, so no thumbprint is pinned.
 *
 * An account holds one provider per URL: import an existing one with
 * `BitbucketOidcProvider.fromOidcProviderArn`.
 */
export class BitbucketOidcProvider extends iam.OidcProviderNative {
  constructor(scope: Construct, id: string, props: BitbucketOidcProviderProps) {
    if (!WORKSPACE_SLUG.test(props.workspace)) {
      throw new Error(`workspace must be a Bitbucket workspace slug, got "${props.workspace}"`);
    }
    if (props.audiences.length === 0) {
      throw new Error('audiences must name at least one audience: a provider with none admits no token');
    }
    super(scope, id, {
      url: bitbucketIssuerUrl(props.workspace),
      clientIds: [...props.audiences],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
  }
}
