/**
 * <xrf-error-view>: what an editor shows when its file cannot be opened: which file, what is wrong,
 * and a Reopen button (after the user fixed the file). `data-kind="error"` for end-to-end tests.
 * Fires `reopen` and `show-log`.
 */
import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ErrorViewData } from '../../src/protocol';
import '../controls/controls';

@customElement('xrf-error-view')
export class XrfErrorView extends LitElement {
  @property({ attribute: false }) error!: ErrorViewData;

  /**
   * Light DOM, not a shadow root: the message is then plain text of this element (innerText,
   * screen readers, end-to-end tests), and the styles below are scoped by the element name.
   */
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  constructor() {
    super();
    this.dataset.kind = 'error';
    this.setAttribute('role', 'alert');
    this.id = 'error-view';
  }

  override render() {
    const e = this.error;
    return html`<style>
        xrf-error-view { display: block; max-width: 60em; margin: 2em auto; padding: 1em 1.5em; border-left: 4px solid var(--vscode-errorForeground);
          background: var(--vscode-inputValidation-errorBackground, transparent); }
        xrf-error-view h2 { margin-top: 0; font-size: 1.2em; }
        xrf-error-view .file { font-family: var(--vscode-editor-font-family, monospace); word-break: break-all; }
        xrf-error-view .problem { font-size: 1.05em; margin: 0.8em 0; }
        xrf-error-view .detail { color: var(--vscode-descriptionForeground); }
        xrf-error-view .actions { display: flex; gap: 8px; margin-top: 1em; }
      </style>
      <h2>${e.title}</h2>
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
