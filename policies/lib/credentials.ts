/**
 * Names that hold credentials. Matching is on the variable or binding name, so a credential
 * under an innocent name is not caught; docs/policies.md says so.
 */
export const CREDENTIAL_NAME =
  /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY|SIGNING_?KEY|_KEY$|^KEY$|DATABASE_URL|REDIS_URL|CONNECTION_?STRING|DSN$)/i;

/** Settings about a credential rather than the credential: REFRESH_TOKEN_TTL_SECONDS, JWT_ALGORITHM. */
const ABOUT_A_CREDENTIAL =
  /_(TTL|TTL_SECONDS|SECONDS|MS|MINUTES|HOURS|DAYS|LENGTH|SIZE|BYTES|COUNT|ENABLED|DISABLED|ALGORITHM|HEADER|NAME|ISSUER|AUDIENCE)$/i;

export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name) && !ABOUT_A_CREDENTIAL.test(name);
}
