import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * The visitor's address, as the web role passes it to the api (issue 15). The web role
 * calls the api for every visitor, so without this the api's per-address limits would
 * count the whole web pod: one visitor's failed sign-ins would lock out everyone. The
 * header is believed only with a valid HMAC under CLIENT_ADDRESS_SECRET, which only the
 * web and api pods hold: a direct client cannot choose the address it is counted under.
 */
export const CLIENT_ADDRESS_HEADER = 'x-client-address';
export const CLIENT_ADDRESS_SIGNATURE_HEADER = 'x-client-address-signature';

function sign(secret: string, address: string): string {
  return createHmac('sha256', secret).update(`client-address:v1:${address}`).digest('base64url');
}

/** The two headers the web role adds to each api call made for `address`. */
export function clientAddressHeaders(secret: string, address: string): Record<string, string> {
  return { [CLIENT_ADDRESS_HEADER]: address, [CLIENT_ADDRESS_SIGNATURE_HEADER]: sign(secret, address) };
}

/** The signed address, or null when absent, malformed or not signed with `secret`. */
export function verifiedClientAddress(secret: string, address: string, signature: string): string | null {
  if (!address || !signature || isIP(address) === 0) return null;
  const expected = Buffer.from(sign(secret, address));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? address : null;
}

/**
 * The peer's address, following X-Forwarded-For only through the proxies in `trusted`
 * (TRUSTED_PROXIES: the gateway's addresses). proxy-addr walks the header from the
 * right and stops at the first untrusted hop, so whatever a client writes into
 * X-Forwarded-For itself is never believed (https://github.com/jshttp/proxy-addr).
 */
export function peerAddressResolver(trusted: readonly string[]): (req: IncomingMessage) => string {
  const trust = proxyaddr.compile([...trusted]);
  return (req) => proxyaddr(req, trust);
}
