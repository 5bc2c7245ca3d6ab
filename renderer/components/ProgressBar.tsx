// A progress bar with its value for assistive technology (role progressbar, aria-valuetext).
export function ProgressBar({ value, max, label, text }: { value: number; max: number; label: string; text?: string }) {
  const pct = max > 0 ? Math.min(100, Math.max(0, (value / max) * 100)) : 0;
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)} aria-valuetext={text ?? `${pct.toFixed(0)}%`}>
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
