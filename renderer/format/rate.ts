// A rate cap as the app's rate fields show and read it: the text the CLI's --rate takes ("50MB",
// "20MiB", "1.5GB", plain bytes), empty for no cap.
import { parseRate } from '../../shared/units.ts';

/** The text a rate field shows for a cap: "" for none, else the cap in MB (what --rate takes). */
export function rateText(rate: number | undefined): string {
  return rate ? `${Number((rate / 1e6).toFixed(3))}MB` : '';
}

/** A rate field's text as bytes per second (0: no cap); undefined when it is not a rate. */
export function readRate(text: string): number | undefined {
  return text.trim() === '' ? 0 : parseRate(text);
}
