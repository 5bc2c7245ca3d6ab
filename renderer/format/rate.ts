// A rate cap as the app's rate fields show and read it: the text the CLI's --rate takes ("50MB",
// "20MiB", "1.5GB", plain bytes), empty for no cap.
import { parseRate } from '../../shared/units.ts';

/**
 * The text a rate field shows for a cap, in a form --rate takes back exactly: "" for none; a cap
 * typed in binary units keeps them ("1GiB", not "1073.742MB"); else GB, MB, or plain bytes.
 */
export function rateText(rate: number | undefined): string {
  if (!rate) return '';
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['GB', 1e9]] as const) {
    if (rate >= size && rate % size === 0) return `${rate / size}${unit}`;
  }
  // MB with up to three decimals when that is exact; odd byte counts as plain bytes.
  return rate % 1000 === 0 ? `${rate / 1e6}MB` : String(rate);
}

/** A rate field's text as bytes per second (0: no cap); undefined when it is not a rate. */
export function readRate(text: string): number | undefined {
  return text.trim() === '' ? 0 : parseRate(text);
}
