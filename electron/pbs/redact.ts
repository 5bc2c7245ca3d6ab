// Secrets out of text that is shown or logged: every occurrence of a known secret (of at least
// 4 characters, so a short one cannot blank ordinary words) becomes "***". Used where server
// answers become messages (a server may echo the Authorization header or the password) and by
// the service's log.

export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}
