/**
 * The one webview bundle (dist/webview.js) for every XRF Maps view. The host's page says which view
 * to mount in <body data-view="…">; each view gets an Endpoint over acquireVsCodeApi's postMessage,
 * subscribes, then says `ready` (the host answers with `init`).
 */
import { Endpoint, type MessagePortLike } from '../src/protocol';
import type { ScanHostSide, ScanWebviewSide } from '../src/protocol';
import './components/scan-view';
import type { MapsHostSide, MapsWebviewSide, ResultsHostSide, ResultsWebviewSide, TrainingHostSide, TrainingWebviewSide } from '../src/protocol-ml';
import './components/maps-view';
import './components/results-view';
import './components/training-view';

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
    case 'groundTruth': {
      const endpoint = new Endpoint<MapsWebviewSide, MapsHostSide>(port, { timeoutMs: 30_000 });
      const el = document.createElement('xrf-maps-view');
      el.connect(endpoint);
      root.append(el);
      endpoint.ready();
      break;
    }
    case 'results': {
      const endpoint = new Endpoint<ResultsWebviewSide, ResultsHostSide>(port, { timeoutMs: 30_000 });
      const el = document.createElement('xrf-results-view');
      el.connect(endpoint);
      root.append(el);
      endpoint.ready();
      break;
    }
    case 'training': {
      const endpoint = new Endpoint<TrainingWebviewSide, TrainingHostSide>(port, { timeoutMs: 30_000 });
      const el = document.createElement('xrf-training-view');
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
