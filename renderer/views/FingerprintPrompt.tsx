// Trust on first use, and again when a certificate changes: the server presented a certificate
// this computer does not trust. Show the fingerprint it presented (and, when one was pinned
// before, that one too: the certificate changed) and ask the user to compare it with the one PBS
// shows, before pinning it. Nothing is trusted without this confirmation.
import { ConfirmDialog } from '../components/Dialog.tsx';

export function FingerprintPrompt(props: { host: string; fingerprint: string; pinned?: string; onTrust: () => void; onClose: () => void }) {
  const changed = props.pinned !== undefined && props.pinned !== props.fingerprint;
  const compare = (
    <p>
      Compare it with the fingerprint on the PBS dashboard (<em>Show Fingerprint</em>) or from <code>proxmox-backup-manager cert info</code>. Trust it only if they match:
      it is then pinned for this source, and a different certificate later is refused.
    </p>
  );
  if (changed) {
    return (
      <ConfirmDialog title="The server's certificate changed" confirm="Trust the new certificate" cancel="Cancel" onConfirm={props.onTrust} onClose={props.onClose}>
        <p>
          <strong>{props.host || 'The server'}</strong> now presents a different certificate from the one trusted for this source. That is expected after the
          certificate was renewed or PBS reinstalled; otherwise, someone may be between this computer and the server.
        </p>
        <dl className="fingerprints">
          <dt>Trusted until now</dt>
          <dd className="fingerprint mono" data-testid="pinned-fingerprint">
            {props.pinned}
          </dd>
          <dt>Presented now (SHA-256)</dt>
          <dd className="fingerprint mono" data-testid="presented-fingerprint">
            {props.fingerprint}
          </dd>
        </dl>
        {compare}
      </ConfirmDialog>
    );
  }
  return (
    <ConfirmDialog title="Trust this server's certificate?" confirm="Trust this fingerprint" cancel="Cancel" onConfirm={props.onTrust} onClose={props.onClose}>
      <p>
        <strong>{props.host || 'The server'}</strong> presented a certificate that this computer does not trust. Its SHA-256 fingerprint is:
      </p>
      <p className="fingerprint mono" data-testid="presented-fingerprint">
        {props.fingerprint}
      </p>
      {compare}
    </ConfirmDialog>
  );
}
