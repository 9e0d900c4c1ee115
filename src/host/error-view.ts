/**
 * Any error from opening or reading a scan → what the editor's error view shows. Pure, so every case
 * is unit-tested. Errors cross the worker boundary as plain Errors whose `name` survives, so an
 * XrfInputError is recognized by name, and its "file: problem" message is split back apart.
 */
import type { ErrorViewData } from '../protocol';

export function errorToView(e: unknown, file: string): ErrorViewData {
  const err = e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(e) ?? String(e));
  if (err.name === 'XrfInputError') {
    const withFile = err as Error & { file?: unknown; problem?: unknown };
    const errFile = typeof withFile.file === 'string' ? withFile.file : undefined;
    let problem = typeof withFile.problem === 'string' ? withFile.problem : undefined;
    let named = errFile ?? file;
    if (problem === undefined) {
      // "path: problem": the path may itself hold ": " (Windows drive letters), so prefer the known file.
      const msg = err.message;
      if (msg.startsWith(`${file}: `)) problem = msg.slice(file.length + 2);
      else {
        const at = msg.indexOf(': ', msg.lastIndexOf('/') + 1);
        if (at > 0) {
          named = msg.slice(0, at);
          problem = msg.slice(at + 2);
        } else problem = msg;
      }
    }
    return { kind: 'input', title: 'This scan cannot be opened', file: named, problem: problem || 'unreadable file' };
  }
  return {
    kind: 'internal',
    title: 'XRF Maps hit an unexpected error',
    file,
    problem: err.message || err.name || 'unknown error',
    detail: `${err.name}. The "XRF Maps" output channel has the details; please report it.`,
  };
}
