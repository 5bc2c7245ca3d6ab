// Where a long name may wrap: after a separator (`-`, `.`, `/`, `_`, `:`, `,`), never inside a
// word, so "drive-virtio1.img.fidx" wraps as "drive-" / "virtio1.img.fidx" and never as
// "drive-/virtio1" split mid-word. The parts are rendered with a <wbr> between them
// (components/Breakable.tsx). Pure code.

const SEPARATOR = /[-./_:,]/;

/** The name cut after each run of separators; joined, the parts give the name back. */
export function breakParts(name: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    // A break after the last separator of a run ("a--b" breaks once, after "--").
    if (SEPARATOR.test(name[i]!) && !SEPARATOR.test(name[i + 1] ?? '') && i + 1 < name.length) {
      parts.push(name.slice(start, i + 1));
      start = i + 1;
    }
  }
  parts.push(name.slice(start));
  return parts.filter((p) => p !== '');
}
