// Errors and confirmations as notices: the code in words, what to do next, and the service's own
// message as the detail.
import { explainError } from '../../shared/errorText.ts';
import { useStore } from '../store/index.ts';

export function reportError(e: unknown, context?: string): void {
  const x = explainError(e);
  useStore.getState().notify({
    kind: 'error',
    text: context ? `${context}: ${x.title}` : x.title,
    next: x.next,
    detail: x.code ? `[${x.code}] ${x.detail}` : x.detail,
  });
}

export function announce(text: string): void {
  useStore.getState().notify({ kind: 'info', text });
}
