/**
 * Two connected MessagePortLikes, as a webview and its host are. Messages are structured-cloned and
 * delivered asynchronously, like postMessage, so tests see what a real transport would deliver. The
 * host's post returns a promise that resolves once the message is delivered, as VS Code's
 * webview.postMessage resolves once the message is handed to the webview.
 */
import type { Envelope, MessagePortLike } from '../../src/protocol';

export interface FakePortPair {
  host: MessagePortLike;
  webview: MessagePortLike;
  /** Every message in the order sent, for assertions: [from, message]. */
  log: ['host' | 'webview', Envelope][];
  /** Drop messages to the webview until it "loads" (as VS Code does before the page's script runs). */
  webviewLoaded: boolean;
  /** Optional: hold a host message until the returned promise resolves (tests that need a delivery in flight). */
  holdToWebview?: (m: Envelope) => Promise<void> | undefined;
}

export function fakePortPair(): FakePortPair {
  const hostHandlers = new Set<(m: unknown) => void>();
  const webHandlers = new Set<(m: unknown) => void>();
  let toWebview: Promise<unknown> = Promise.resolve();
  const pair: FakePortPair = {
    log: [],
    webviewLoaded: true,
    host: {
      post(m) {
        pair.log.push(['host', m]);
        if (!pair.webviewLoaded) return;
        const copy = structuredClone(m);
        // In order, like a real channel: a held message holds back the ones after it.
        const delivered = toWebview.then(() => pair.holdToWebview?.(m)).then(
          () =>
            new Promise<boolean>((resolve) =>
              setImmediate(() => {
                webHandlers.forEach((h) => h(copy));
                resolve(true);
              }),
            ),
        );
        toWebview = delivered;
        return delivered;
      },
      listen(h) {
        hostHandlers.add(h);
        return () => hostHandlers.delete(h);
      },
    },
    webview: {
      post(m) {
        pair.log.push(['webview', m]);
        const copy = structuredClone(m);
        setImmediate(() => hostHandlers.forEach((h) => h(copy)));
      },
      listen(h) {
        webHandlers.add(h);
        return () => webHandlers.delete(h);
      },
    },
  };
  return pair;
}

/** Resolve after pending setImmediate deliveries (and the promise jobs they start) have run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
