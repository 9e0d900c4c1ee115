/**
 * The one webview bundle (dist/webview.js) for every XRF Maps view. The host's page says which view
 * to mount in <body data-view="…">; each view gets an Endpoint over acquireVsCodeApi's postMessage,
 * subscribes, then says `ready` (the host answers with `init`).
 */
import { Endpoint, type MessagePortLike } from '../src/protocol';
import type { ScanHostSide, ScanWebviewSide } from '../src/protocol';
import './components/scan-view';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

const vscode = acquireVsCodeApi();

const port: MessagePortLike = {
  post: (m) => vscode.postMessage(m),
  listen: (handler) => {
    const fn = (e: MessageEvent) => handler(e.data);
    window.addEventListener('message', fn);
    return () => window.removeEventListener('message', fn);
  },
};

function mount(): void {
  const root = document.getElementById('root')!;
  const view = document.body.dataset.view;
  switch (view) {
    case 'scan': {
      const endpoint = new Endpoint<ScanWebviewSide, ScanHostSide>(port, { timeoutMs: 30_000 });
      const el = document.createElement('xrf-scan-view');
      el.connect(endpoint);
      root.append(el);
      endpoint.ready();
      break;
    }
    default:
      root.textContent = `XRF Maps: unknown view "${String(view)}".`;
  }
}

mount();
