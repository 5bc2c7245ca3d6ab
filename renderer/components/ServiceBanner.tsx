// Browser mode: the page lost the service (it stopped, or the machine slept), or the service
// refused this page's token. Said at the top of every screen, with what to do: the page tries
// again by itself every second, and Reconnect tries at once. serve keeps its address, so a
// restarted service is found again without a new link; a rotated token needs the new one.
import { reconnectNow } from '../api/connect.ts';
import { useStore } from '../store/index.ts';

export function ServiceBanner() {
  const browser = useStore((s) => s.info !== undefined && s.info.shell !== 'electron');
  const connected = useStore((s) => s.connected);
  const refused = useStore((s) => s.tokenRefused === true);
  // Before the first load the page says "Connecting…" itself; the desktop app has no stream to lose.
  if (refused) {
    return (
      <div className="banner banner-danger service-banner" role="alert" data-testid="service-banner">
        <p>
          <strong>The service refused this page&apos;s token.</strong> It was started with a new token (<code>--new-token</code>): open the address it printed.
        </p>
      </div>
    );
  }
  if (!browser || connected) return null;
  return (
    <div className="banner banner-danger service-banner" role="alert" data-testid="service-banner">
      <p>
        <strong>The Restore Console service cannot be reached.</strong> It stopped, or this computer lost it. Start it again with <code>restore-console serve</code>: this page
        reconnects by itself (the address stays the same).
      </p>
      <div className="button-row">
        <button type="button" className="primary" onClick={reconnectNow}>
          Reconnect
        </button>
      </div>
    </div>
  );
}
