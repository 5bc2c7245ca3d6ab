// Canonical JSON as proxmox-serde's to_canonical_json writes it, the input of manifest signatures:
// object keys sorted by their UTF-8 bytes, no whitespace, serde_json string and number forms,
// and `null` anywhere is an error. Upstream: proxmox-serde/src/json.rs.

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function toCanonicalJson(value: unknown): string {
  if (value === null || value === undefined) throw new TypeError('canonical JSON cannot contain null');
  if (Array.isArray(value)) return `[${value.map(toCanonicalJson).join(',')}]`;
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes exactly what serde_json escapes: quote, backslash, control characters
      // (\b \f \n \r \t and lowercase \u00xx); non-ASCII stays UTF-8.
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot contain ${value}`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort(compareUtf8);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${toCanonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot contain a ${typeof value}`);
  }
}
