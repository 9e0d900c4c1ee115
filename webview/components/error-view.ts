/**
 * <xrf-error-view>: what an editor shows when its file cannot be opened: which file, what is wrong,
 * and a Reopen button (after the user fixed the file). `data-kind="error"` for end-to-end tests.
 * Fires `reopen` and `show-log`.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ErrorViewData } from '../../src/protocol';
import '../controls/controls';

@customElement('xrf-error-view')
export class XrfErrorView extends LitElement {
  static override styles = css`
    :host { display: block; max-width: 60em; margin: 2em auto; padding: 1em 1.5em; border-left: 4px solid var(--vscode-errorForeground);
      background: var(--vscode-inputValidation-errorBackground, transparent); }
    h2 { margin-top: 0; font-size: 1.2em; }
    .file { font-family: var(--vscode-editor-font-family, monospace); word-break: break-all; }
    .problem { font-size: 1.05em; margin: 0.8em 0; }
    .detail { color: var(--vscode-descriptionForeground); }
    .actions { display: flex; gap: 8px; margin-top: 1em; }
  `;
  @property({ attribute: false }) error!: ErrorViewData;

  constructor() {
    super();
    this.dataset.kind = 'error';
    this.setAttribute('role', 'alert');
    this.id = 'error-view';
  }

  override render() {
    const e = this.error;
    return html`<h2>${e.title}</h2>
      <div>File: <span class="file" data-field="file">${e.file}</span></div>
      <p class="problem" data-field="problem">${e.problem}</p>
      ${e.detail ? html`<p class="detail">${e.detail}</p>` : nothing}
      <div class="actions">
        <xrf-button appearance="primary" id="reopen" @click=${() => this.fire('reopen')}>Reopen</xrf-button>
        <xrf-button id="show-log" @click=${() => this.fire('show-log')}>Show log</xrf-button>
      </div>`;
  }

  override updated(): void {
    this.dataset.errorKind = this.error.kind;
  }

  private fire(name: string): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-error-view': XrfErrorView;
  }
}
