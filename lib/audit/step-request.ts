import { chosenByCaller } from '../iam-evaluator/request-context';

/**
 * What a pipeline step sends to STS beside its token, left to the step: requests always
 * come over TLS and carry the caller's session name, region and time, and its address unless
 * it calls through a VPC endpoint, all of which the step chooses (Bitbucket's egress
 * addresses are shared by all its customers, so an address range is not a repository
 * restriction).
 */
export const CHOSEN_BY_THE_STEP = {
  'aws:SecureTransport': 'true',
  // Absent when the step calls STS through a VPC endpoint (a self-hosted runner can): IAM User Guide, global condition keys, aws:SourceIp.
  'aws:SourceIp': chosenByCaller("the step: Bitbucket's egress addresses are shared by all its customers, self-hosted runners have their own, and through an STS VPC endpoint there is none", true),
  'sts:RoleSessionName': chosenByCaller('the step (AWS_ROLE_SESSION_NAME)'),
  'aws:RequestedRegion': chosenByCaller('the step: the STS endpoint it calls'),
  'aws:CurrentTime': chosenByCaller('the moment the step calls'),
  'aws:EpochTime': chosenByCaller('the moment the step calls'),
  'aws:UserAgent': chosenByCaller('the step'),
};

/** Any other key: the step may send it, with any value, or leave it out. */
export const OUTSIDE_THE_TOKEN = chosenByCaller('outside the token: the step may send it or not', true);
