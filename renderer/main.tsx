// Entry of the renderer: connect to the contract (preload bridge or browser-mode HTTP), start the
// store's listener, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { connect } from './api/connect.ts';
import { reportError, start, useStore } from './store.ts';

const root = createRoot(document.getElementById('root')!);
try {
  const api = connect((connected) => useStore.setState({ connected }));
  root.render(
    <StrictMode>
      <App api={api} />
    </StrictMode>,
  );
  start(api).catch(reportError);
} catch (e) {
  root.render(<p className="error">{(e as Error).message}</p>);
}
