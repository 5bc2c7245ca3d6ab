// Entry of the renderer: connect to the contract (preload bridge or browser-mode HTTP), start the
// one event listener and the first load outside React, then render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { connect } from './api/connect.ts';
import { startBrowserNotifications } from './actions/browserNotify.ts';
import { setApi } from './api/current.ts';
import { reportError } from './actions/notify.ts';
import { useStore } from './store/index.ts';
import { loadInitial, reloadAfterReconnect, startListener } from './store/listener.ts';
import { startRouting } from './store/routing.ts';
import { startTheme } from './store/theme.ts';

const root = createRoot(document.getElementById('root')!);
startTheme();
try {
  const api = connect(
    (connected) => useStore.setState({ connected }),
    () => reloadAfterReconnect(api).catch((e) => reportError(e, 'Reloading')),
    () => useStore.setState({ tokenRefused: true, connected: false }),
  );
  setApi(api);
  startListener(api);
  startBrowserNotifications(api);
  startRouting();
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  loadInitial(api).catch((e) => reportError(e, 'Loading'));
} catch (e) {
  root.render(
    <main className="fatal">
      <h1>Restore Console</h1>
      <p className="error-title">{(e as Error).message}</p>
    </main>,
  );
}
