/**
 * The editors' shared VS Code pieces for exporting: the save dialog beside the open file, and the
 * error for a document that is not a file on disk (the error view shows it like any bad input).
 */
import * as vscode from 'vscode';
import * as nodePath from 'node:path';
import type { ExportFormat } from '../../protocol';
import { EXPORT_FORMATS } from './encode';

/** "Export map as PNG/TIFF/NPY" save dialog, starting beside `file`; undefined when cancelled. */
export async function pickExportPath(file: string, defaultName: string, format: ExportFormat): Promise<string | undefined> {
  const f = EXPORT_FORMATS[format];
  const uri = await vscode.window.showSaveDialog({
    title: `Export map as ${f.label}`,
    defaultUri: vscode.Uri.file(nodePath.join(nodePath.dirname(file), defaultName)),
    filters: { [f.filter]: [f.extension] },
  });
  return uri?.fsPath;
}

/** The editors open files on disk only; the error is named like an XrfInputError so the error view says so plainly. */
export function notOnDiskError(file: string, uri: vscode.Uri): Error {
  return Object.assign(new Error(`${file}: only files on disk can be opened (this one is on "${uri.scheme}:")`), { name: 'XrfInputError' });
}
