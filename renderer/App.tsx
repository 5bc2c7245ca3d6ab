// The application frame: a sidebar with the screens (Sources, Browse, Jobs, Settings), the running
// jobs at a glance and the display preferences; the current screen; the restore dialogs (one disk,
// a whole VM, the newest snapshots of several VMs), the file browser; notices.
import { Notices } from './components/Notices.tsx';
import { ServiceBanner } from './components/ServiceBanner.tsx';
import { Sidebar } from './views/Sidebar.tsx';
import { BrowseView } from './views/BrowseView.tsx';
import { JobsView } from './views/JobsView.tsx';
import { JobView } from './views/JobView.tsx';
import { RestoreBatchDialog } from './views/RestoreBatchDialog.tsx';
import { RestoreDialog } from './views/RestoreDialog.tsx';
import { SettingsView } from './views/SettingsView.tsx';
import { FileBrowserDialog } from './views/FileBrowserDialog.tsx';
import { RestoreVmDialog } from './views/RestoreVmDialog.tsx';
import { SourcesView } from './views/SourcesView.tsx';
import { useStore } from './store/index.ts';

function Screen() {
  const route = useStore((s) => s.route);
  switch (route.view) {
    case 'sources':
      return <SourcesView />;
    case 'browse':
      return <BrowseView />;
    case 'jobs':
      return <JobsView />;
    case 'job':
      return <JobView id={route.id} />;
    case 'settings':
      return <SettingsView />;
  }
}

export function App() {
  const restoring = useStore((s) => !!s.restore);
  const browsing = useStore((s) => !!s.browser);
  const restoringVm = useStore((s) => !!s.restoreVm);
  const restoringBatch = useStore((s) => !!s.restoreBatch);
  return (
    <div className="app">
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <Sidebar />
      <main id="content" className="content">
        <ServiceBanner />
        <Screen />
      </main>
      {restoring && <RestoreDialog />}
      {browsing && <FileBrowserDialog />}
      {restoringVm && <RestoreVmDialog />}
      {restoringBatch && <RestoreBatchDialog />}
      <Notices />
    </div>
  );
}
