// What stops a source from being read, said where the user meets it (Browse, the source's card)
// with the one step that fixes it, instead of a listing error over an empty list:
//   - its secret was not kept (browser mode forgets it when the service stops, unless it was
//     remembered): "Reconnect: enter the secret", the field right there;
//   - the server presents another certificate than the one pinned (renewed, PBS reinstalled):
//     both fingerprints and, after the user confirmed, the new one pinned (sources.update);
//   - anything else: the error in words.
import { useId, useState, type FormEvent } from 'react';
import type { ContractError, SourceInfo } from '../../shared/contract.ts';
import { toContractError } from '../../shared/errors.ts';
import { api } from '../api/current.ts';
import { announce } from '../actions/notify.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { useStore } from '../store/index.ts';
import { FingerprintPrompt } from './FingerprintPrompt.tsx';

/** The source cannot be read until this is fixed here. */
export function needsAttention(source: SourceInfo | undefined, error: ContractError | undefined): boolean {
  return source?.secret === 'missing' || error?.code === 'SECRET_REQUIRED' || (error?.code === 'TLS_FINGERPRINT_MISMATCH' && !!error.fingerprint);
}

export function SourceProblem({ source, error, title, onFixed }: { source: SourceInfo; error?: ContractError | undefined; title?: string; onFixed?: () => void }) {
  if (source.config.kind === 'pbs' && (source.secret === 'missing' || error?.code === 'SECRET_REQUIRED')) return <ReconnectForm source={source} onFixed={onFixed} />;
  if (error?.code === 'TLS_FINGERPRINT_MISMATCH' && error.fingerprint) return <CertificateChanged source={source} presented={error.fingerprint} onFixed={onFixed} />;
  return error ? <ErrorBox error={error} {...(title ? { title } : {})} /> : null;
}

function ReconnectForm({ source, onFixed }: { source: SourceInfo; onFixed?: (() => void) | undefined }) {
  const id = useId();
  const browser = useStore((s) => s.info?.shell !== 'electron');
  const [secret, setSecret] = useState('');
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractError | undefined>();
  const isToken = source.config.kind === 'pbs' && source.config.authId.includes('!');
  const what = isToken ? 'API token secret' : 'password';
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    api()
      .invoke('sources.setSecret', { id: source.id, secret, ...(remember ? { rememberSecret: true } : {}) })
      .then(
        (info) => {
          useStore.getState().upsertSource(info);
          announce(`${source.label}: connected`);
          onFixed?.();
        },
        (err) => setError(toContractError(err)),
      )
      .finally(() => setBusy(false));
  };
  return (
    <form className="card reconnect" onSubmit={submit} aria-labelledby={`${id}-title`} data-testid="reconnect">
      <h2 id={`${id}-title`} className="card-title">
        Reconnect {source.label}: enter the {what}
      </h2>
      <p className="muted">
        {browser ? `The ${what} was kept only until the service stopped.` : `The ${what} was not kept on this computer.`} Enter it again to read this source.
      </p>
      <div className="input-row">
        <label htmlFor={`${id}-secret`} className="visually-hidden">
          {isToken ? 'API token secret' : 'Password'} for {source.label}
        </label>
        <input id={`${id}-secret`} type="password" autoComplete="off" value={secret} required className="grow" placeholder={isToken ? 'API token secret' : 'Password'} onChange={(e) => setSecret(e.currentTarget.value)} />
        <button type="submit" className="primary" disabled={busy || !secret}>
          {busy ? 'Connecting…' : 'Reconnect'}
        </button>
      </div>
      {browser && (
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
          Remember it on this computer (saved unencrypted in the data folder), so a restart does not ask again
        </label>
      )}
      {error && <ErrorBox error={error} />}
    </form>
  );
}

function CertificateChanged({ source, presented, onFixed }: { source: SourceInfo; presented: string; onFixed?: (() => void) | undefined }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<ContractError | undefined>();
  if (source.config.kind !== 'pbs') return null;
  const config = source.config;
  const pinned = config.fingerprint;
  const trust = (): void => {
    setError(undefined);
    api()
      .invoke('sources.update', { id: source.id, config: { ...config, fingerprint: presented } })
      .then(
        (info) => {
          useStore.getState().upsertSource(info);
          announce(`${source.label}: the new certificate is trusted`);
          onFixed?.();
        },
        (e) => setError(toContractError(e)),
      );
  };
  return (
    <div className="card reconnect" role="alert" data-testid="certificate-changed">
      <h2 className="card-title">{pinned ? `The certificate of ${config.host} changed` : `The certificate of ${config.host} is not trusted`}</h2>
      <p className="muted">
        {pinned
          ? 'The server presents another certificate than the one trusted for this source, so nothing is read from it. Compare the new fingerprint with the one PBS shows before trusting it.'
          : 'The server presents a certificate this computer does not trust. Compare its fingerprint with the one PBS shows before trusting it.'}
      </p>
      <div className="button-row">
        <button type="button" className="primary" onClick={() => setAsking(true)}>
          Review the certificate…
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {asking && (
        <FingerprintPrompt
          host={config.host}
          fingerprint={presented}
          {...(pinned ? { pinned } : {})}
          onTrust={trust}
          onClose={() => setAsking(false)}
        />
      )}
    </div>
  );
}
