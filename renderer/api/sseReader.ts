// A Server-Sent Events parser over a byte stream (the WHATWG event-stream format: `field: value`
// lines, events ended by a blank line). Used instead of EventSource so the token travels in an
// Authorization header and the same code runs in browsers and in Node.

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #event = '';
  #id: string | undefined;
  readonly #onMessage: (m: SseMessage) => void;

  constructor(onMessage: (m: SseMessage) => void) {
    this.#onMessage = onMessage;
  }

  push(text: string): void {
    this.#buffer += text;
    let nl: number;
    while ((nl = this.#buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.#buffer.slice(0, nl);
      const sepLen = this.#buffer.startsWith('\r\n', nl) ? 2 : 1;
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (sepLen === 1 && this.#buffer[nl] === '\r' && nl === this.#buffer.length - 1) return;
      this.#buffer = this.#buffer.slice(nl + sepLen);
      this.#line(line);
    }
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#data.length) this.#onMessage({ ...(this.#id !== undefined ? { id: this.#id } : {}), event: this.#event || 'message', data: this.#data.join('\n') });
      this.#data = [];
      this.#event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
  }
}
