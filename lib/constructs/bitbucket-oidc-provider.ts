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
   * Server certificate thumbprints IAM keeps for the issuer: hex SHA-1 fingerprints, 40
   * characters each, at most 5. IAM verifies the issuer's TLS chain against its own trusted
   * root CAs and falls back to thumbprints only when that fails, so for api.bitbucket.org
   * they change nothing; they exist for a provider whose update CloudFormation refuses
   * without them (reported in cloudformation-coverage-roadmap#2092): set them to the list
   * IAM already holds.
   *
   * @default - no ThumbprintList in the template: IAM fetches and keeps the thumbprint of
   * the issuer's top intermediate CA itself
   */
  readonly thumbprints?: readonly string[];
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
 * issuer's TLS chain itself, so no thumbprint is pinned unless `thumbprints` asks.
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
    if (props.thumbprints !== undefined && props.thumbprints.length === 0) {
      throw new Error('thumbprints must name at least one thumbprint, or be left out: an empty list sets an empty ThumbprintList');
    }
    const repeated = props.thumbprints?.find((thumbprint, index, all) => all.findIndex((other) => other.toLowerCase() === thumbprint.toLowerCase()) !== index);
    if (repeated !== undefined) throw new Error(`thumbprints must name each thumbprint once, got "${repeated}" twice`);
    // OidcProviderNative itself refuses more than 5, and any that is not 40 hex characters.
    super(scope, id, {
      url: bitbucketIssuerUrl(props.workspace),
      clientIds: [...props.audiences],
      thumbprints: props.thumbprints === undefined ? undefined : [...props.thumbprints],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
  }
}
