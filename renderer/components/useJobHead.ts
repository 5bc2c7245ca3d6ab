// A job without its progress: what headings, banners and controls need. Selected field by field
// (useShallow), so the 10 Hz progress stream does not re-render the components that use it.
import { useShallow } from 'zustand/react/shallow';
import type { JobLike } from '../format/jobText.ts';
import { useStore } from '../store/index.ts';

export type JobHead = JobLike;

export function useJobHead(id: string): JobHead | undefined {
  return useStore(
    useShallow((s): JobHead | undefined => {
      const j = s.jobs[id];
      if (!j) return undefined;
      const { progress: _p, ...head } = j;
      return head;
    }),
  );
}
