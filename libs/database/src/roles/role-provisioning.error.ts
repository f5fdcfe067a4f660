/** The roles could not be provisioned; nothing was changed (one transaction). The message names the step. */
export class RoleProvisioningError extends Error {
  override readonly name = 'RoleProvisioningError';
  readonly code = 'DATABASE.ROLE_PROVISIONING_FAILED';
}
