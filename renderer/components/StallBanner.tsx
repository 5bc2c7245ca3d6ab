// A stalled transfer, said plainly (not only a chart falling to zero): since when no data arrived
// from the source although chunks are being read, and what happens next. It goes when data flows.
import { formatDuration, formatTime } from '../../shared/units.ts';
import { useStore } from '../store/index.ts';

export function StallBanner({ jobId }: { jobId: string }) {
  const since = useStore((s) => s.jobs[jobId]?.progress?.stalledSince);
  const at = useStore((s) => s.jobs[jobId]?.progress?.at);
  if (since === undefined) return null;
  return (
    <div className="banner banner-warn stall-banner" role="status" data-testid="stalled">
      <p>
        <strong>Stalled.</strong> No data has arrived from the source since {formatTime(since)}
        {at !== undefined ? ` (${formatDuration(at - since)})` : ''}, although chunks are being read. The restore goes on by itself when data flows again; if
        it stays stalled until the stall timeout, it stops and can be resumed.
      </p>
    </div>
  );
}
