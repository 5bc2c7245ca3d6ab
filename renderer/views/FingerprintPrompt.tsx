// Trust on first use: the server presented a certificate this computer does not trust. Show the
// fingerprint it presented and ask the user to compare it with the one PBS shows, before pinning it.
import { ConfirmDialog } from '../components/Dialog.tsx';

export function FingerprintPrompt(props: { host: string; fingerprint: string; onTrust: () => void; onClose: () => void }) {
  return (
    <ConfirmDialog title="Trust this server's certificate?" confirm="Trust this fingerprint" cancel="Cancel" onConfirm={props.onTrust} onClose={props.onClose}>
      <p>
        <strong>{props.host || 'The server'}</strong> presented a certificate that this computer does not trust. Its SHA-256 fingerprint is:
      </p>
      <p className="fingerprint mono" data-testid="presented-fingerprint">
        {props.fingerprint}
      </p>
      <p>
        Compare it with the fingerprint on the PBS dashboard (<em>Show Fingerprint</em>) or from <code>proxmox-backup-manager cert info</code>. Trust it only if they
        match: it is then pinned for this source, and a different certificate later is refused.
      </p>
    </ConfirmDialog>
  );
}
