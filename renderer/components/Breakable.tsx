// A name that may wrap only after its separators (format/breakName.ts): a <wbr> after each.
import { Fragment } from 'react';
import { breakParts } from '../format/breakName.ts';

export function Breakable({ text }: { text: string }) {
  const parts = breakParts(text);
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {p}
          {i < parts.length - 1 ? <wbr /> : null}
        </Fragment>
      ))}
    </>
  );
}
