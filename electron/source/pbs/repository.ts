// The repository syntax of proxmox-backup-client, `[[AUTHID@]HOST[:PORT]:]STORE`, so users can paste
// what they already put in PBS_REPOSITORY. Upstream: pbs-client/src/backup_repo.rs
// (BACKUP_REPO_URL_REGEX: `(?:(?:(USERID|TOKENID)@)?(DNS_NAME|IPV4|\[IPV6\])(?::(PORT))?:)?(STORE)`),
// with the user and realm rules of pbs-api-types/src/userid.rs. The auth id ends at the last `@`
// before the host (user names may contain `@`, realms and hosts may not); an IPv6 host is written in
// brackets. As in the official client, a bare STORE means localhost:8007, and no auth id means the
// caller's default (root@pam there).
import { isIP } from 'node:net';
import { RestoreError } from '../../../shared/errors.ts';

export const DEFAULT_PBS_PORT = 8007;

export interface Repository {
  authId?: string;
  /** Host name or IP address; an IPv6 address without its brackets. */
  host: string;
  port: number;
  datastore: string;
}

const SAFE_ID = '[A-Za-z0-9_][A-Za-z0-9._-]*';
// USER_NAME_REGEX_STR excludes whitespace, ':', '/' and control characters; realm and token name are SAFE_IDs.
const AUTH_ID = new RegExp(`^[^\\s:/\\x00-\\x1f\\x7f]+@${SAFE_ID}(?:!${SAFE_ID})?$`);
const DNS_NAME = /^(?:[a-zA-Z0-9_](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9_](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;
const STORE = new RegExp(`^${SAFE_ID}$`);

const invalid = (spec: string, why: string): never => {
  throw new RestoreError('INVALID_NAME', `invalid repository ${JSON.stringify(spec)}: ${why} (expected [[AUTHID@]HOST[:PORT]:]STORE)`);
};

/** True for an API token id (`user@realm!token`): its secret replaces the password. */
export function isApiToken(authId: string): boolean {
  return authId.includes('!');
}

export function checkAuthId(authId: string): string {
  if (!AUTH_ID.test(authId)) throw new RestoreError('INVALID_NAME', `invalid auth id ${JSON.stringify(authId)} (expected USER@REALM or USER@REALM!TOKEN)`);
  return authId;
}

/** Parse `[[AUTHID@]HOST[:PORT]:]STORE`. */
export function parseRepository(spec: string): Repository {
  const at = spec.lastIndexOf('@');
  const authId = at >= 0 ? spec.slice(0, at) : undefined;
  const rest = at >= 0 ? spec.slice(at + 1) : spec;
  if (authId !== undefined && !AUTH_ID.test(authId)) invalid(spec, `bad auth id ${JSON.stringify(authId)}`);

  let host: string;
  let tail: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) invalid(spec, 'unclosed [ in the IPv6 address');
    host = rest.slice(1, close);
    if (isIP(host) !== 6) invalid(spec, `bad IPv6 address ${JSON.stringify(host)}`);
    if (rest[close + 1] !== ':') invalid(spec, 'the datastore is missing after the host');
    tail = rest.slice(close + 2);
  } else {
    const parts = rest.split(':');
    if (parts.length === 1) {
      // Only a store: no host given, so no auth id either (the upstream regex groups them).
      if (authId !== undefined) invalid(spec, 'an auth id needs a host');
      host = 'localhost';
      tail = rest;
    } else {
      host = parts[0]!;
      if (!DNS_NAME.test(host)) invalid(spec, `bad host ${JSON.stringify(host)}`);
      tail = parts.slice(1).join(':');
    }
  }

  let port = DEFAULT_PBS_PORT;
  const parts = tail.split(':');
  if (parts.length > 2) invalid(spec, 'too many ":"');
  if (parts.length === 2) {
    if (!/^[0-9]{1,5}$/.test(parts[0]!) || Number(parts[0]) < 1 || Number(parts[0]) > 65535) invalid(spec, `bad port ${JSON.stringify(parts[0])}`);
    port = Number(parts[0]);
  }
  const datastore = parts[parts.length - 1]!;
  // PBS datastore names are SAFE_IDs of 3 to 32 characters (pbs-api-types DATASTORE_SCHEMA).
  if (!STORE.test(datastore) || datastore.length < 3 || datastore.length > 32) invalid(spec, `bad datastore name ${JSON.stringify(datastore)}`);
  return { ...(authId !== undefined ? { authId } : {}), host, port, datastore };
}

/** `host:port` for messages and the Host header; IPv6 in brackets. */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** Accepts a host with or without IPv6 brackets and returns it without. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
