// A rate cap field that applies what was typed on Enter or when it is left (the running job's
// cap, the settings' defaults): its text follows the cap in force until edited, and `bad` says the
// text is not a rate (format/rate.ts reads it as --rate does).
import { useEffect, useState } from 'react';
import { rateText, readRate } from '../format/rate.ts';

export function useRateInput(value: number | undefined, onApply: (rate: number) => void) {
  const [text, setText] = useState(rateText(value));
  const [bad, setBad] = useState(false);
  useEffect(() => setText(rateText(value)), [value]);
  const apply = (): void => {
    const r = readRate(text);
    setBad(r === undefined);
    if (r !== undefined && r !== (value ?? 0)) onApply(r);
  };
  return { text, setText, bad, apply };
}
