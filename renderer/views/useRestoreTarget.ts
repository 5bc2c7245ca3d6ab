// The restore dialog's target: the suggested path (AppInfo.targetDir + defaultTargetName, the
// first name not taken: -2, -3 …), and what the service says the path currently is, and what
// would stop a restore of this image there (targets.check, asked again shortly after each edit),
// so the dialog can warn before starting.
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/current.ts';
import { defaultTargetName, joinPath, numbered } from '../format/targetName.ts';
import type { RestoreRequest } from '../store/appSlice.ts';
import { useStore } from '../store/index.ts';
import { useTargetCheck } from './restoreFields.tsx';

export async function freeTarget(dir: string, name: string): Promise<string> {
  const base = joinPath(dir, name);
  for (let n = 1; n <= 50; n++) {
    const candidate = numbered(base, n);
    const c = await api().invoke('targets.check', { path: candidate });
    // A name an unfinished restore left a .partial under is taken too.
    if (c.kind === 'missing' && !c.partial) return candidate;
  }
  return base;
}

export function useRestoreTarget(req: RestoreRequest, archive: string, imageSize: number) {
  const dir = useStore((s) => s.info?.targetDir ?? '');
  const [target, setTarget] = useState('');
  const edited = useRef(false);
  const sel = req.detail.info;

  // Suggest a free name (again when the archive changes, unless the user typed their own).
  useEffect(() => {
    if (edited.current || !dir) return;
    let live = true;
    const name = defaultTargetName({ ns: sel.ns, type: sel.backupType, id: sel.backupId, time: sel.backupTime }, archive);
    freeTarget(dir, name).then(
      (t) => live && !edited.current && setTarget(t),
      () => live && !edited.current && setTarget(joinPath(dir, name)),
    );
    return () => void (live = false);
  }, [dir, archive, sel.ns, sel.backupType, sel.backupId, sel.backupTime]);

  const check = useTargetCheck(target, imageSize);

  return {
    target,
    check,
    setTarget: (t: string) => {
      edited.current = true;
      setTarget(t);
    },
  };
}
