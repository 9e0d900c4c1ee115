/**
 * Reopening a scan that changes on disk (a custom readonly editor is not told): which files to
 * watch, and a debounce so a scanner that writes a file in pieces causes one reopen, not dozens.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sidecarPath } from '../../core/cube/calibration';
import { findRawBeside } from '../../core/cube/rpl';

/** Watches files; the provider's uses VS Code's file watcher, tests use a fake. */
export type WatchFiles = (files: string[], onEvent: (file: string, kind: 'change' | 'delete') => void) => { dispose(): void };

export interface ScanFiles {
  /** The files the scan's samples and header are read from (the scan; for RPL/RAW both halves). */
  data: string[];
  /** The calibration sidecar JSON (watched even when absent: creating it can change the calibration). */
  sidecar: string;
}

/** The files whose change means the scan must be read again. */
export async function scanFiles(file: string): Promise<ScanFiles> {
  const ext = path.extname(file).toLowerCase();
  const data = [file];
  if (ext === '.rpl') data.push(await findRawBeside(file).catch(() => partnerPath(file, '.raw')));
  if (ext === '.raw') data.push(await findBeside(file, '.rpl'));
  return { data, sidecar: sidecarPath(file) };
}

/** `dir/base.ext` beside `file`, the existing spelling of the extension if there is one, else lower case. */
async function findBeside(file: string, ext: string): Promise<string> {
  const dir = path.dirname(file);
  const want = `${path.basename(file, path.extname(file))}${ext}`.toLowerCase();
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return path.join(dir, names.find((n) => n.toLowerCase() === want) ?? want);
}

function partnerPath(file: string, ext: string): string {
  return path.join(path.dirname(file), `${path.basename(file, path.extname(file))}${ext}`);
}

/**
 * Collects changed files and calls `onSettled` with them once no change has come for `delayMs`.
 * Every new change restarts the wait: a file still being written is not read half-way.
 */
export class ChangeDebouncer {
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly onSettled: (files: string[]) => void,
  ) {}

  touch(file: string): void {
    this.pending.add(file);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const files = [...this.pending];
      this.pending.clear();
      this.onSettled(files);
    }, this.delayMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
