// An error where it happened: what went wrong, what to do next, and the service's own message
// (files, chunk index, offset and digest) for whoever digs further.
import type { ContractError } from '../../shared/contract.ts';
import { explainError } from '../../shared/errorText.ts';

export function ErrorBox({ error, title }: { error: ContractError; title?: string }) {
  const x = explainError(error);
  return (
    <div className="error-box" role="alert">
      <p className="error-title">
        {title ? `${title}: ` : ''}
        {x.title}
      </p>
      <p className="error-next">{x.next}</p>
      <p className="error-detail">
        <code>{error.code}</code> {error.message}
        {error.chunk && (
          <>
            {' '}
            (chunk {error.chunk.index} at offset {error.chunk.offset}, digest <code>{error.chunk.digest.slice(0, 16)}…</code>)
          </>
        )}
      </p>
    </div>
  );
}
