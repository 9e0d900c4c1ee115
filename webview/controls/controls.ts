/**
 * Our controls: thin Lit wrappers over the toolkit's elements. Each fires `value-change` (bubbling,
 * composed) with `{ value }` or `{ checked }`, so views never depend on the toolkit's event details.
 */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleMap } from 'lit/directives/style-map.js';
import { registerToolkit } from './register';

registerToolkit();

function fire(el: HTMLElement, detail: unknown): void {
  el.dispatchEvent(new CustomEvent('value-change', { detail, bubbles: true, composed: true }));
}

@customElement('xrf-button')
export class XrfButton extends LitElement {
  static override styles = css`:host { display: inline-block; }`;
  @property() appearance: 'primary' | 'secondary' | 'icon' = 'secondary';
  @property({ type: Boolean }) disabled = false;
  /** Accessible name (icon buttons have no text). */
  @property() label = '';

  override render() {
    return html`<vscode-button appearance=${this.appearance} ?disabled=${this.disabled} aria-label=${this.label || nothing} title=${this.label || nothing}
      ><slot></slot
    ></vscode-button>`;
  }
}

export interface SelectOption {
  value: string;
  label: string;
}

@customElement('xrf-select')
export class XrfSelect extends LitElement {
  static override styles = css`
    :host { display: inline-flex; align-items: center; gap: 6px; }
    label { color: var(--vscode-foreground); }
  `;
  @property() label = '';
  @property() value = '';
  @property({ attribute: false }) options: SelectOption[] = [];

  override render() {
    return html`<label id="l">${this.label}</label>
      <vscode-dropdown aria-labelledby="l" .value=${this.value} @change=${this.onChange}>
        ${this.options.map((o) => html`<vscode-option value=${o.value} ?selected=${o.value === this.value}>${o.label}</vscode-option>`)}
      </vscode-dropdown>`;
  }

  private onChange(e: Event) {
    e.stopPropagation();
    const v = (e.target as HTMLInputElement).value;
    if (v === this.value) return;
    this.value = v;
    fire(this, { value: v });
  }
}

@customElement('xrf-checkbox')
export class XrfCheckbox extends LitElement {
  static override styles = css`:host { display: inline-block; }`;
  @property({ type: Boolean }) checked = false;
  @property({ type: Boolean }) disabled = false;

  override render() {
    return html`<vscode-checkbox .checked=${this.checked} ?disabled=${this.disabled} @change=${this.onChange}><slot></slot></vscode-checkbox>`;
  }

  private onChange(e: Event) {
    e.stopPropagation();
    const c = (e.target as HTMLInputElement).checked;
    if (c === this.checked) return;
    this.checked = c;
    fire(this, { checked: c });
  }
}

/** A number input: fires only for finite numbers within [min, max]; shows invalid input as such. */
@customElement('xrf-number-field')
export class XrfNumberField extends LitElement {
  static override styles = css`
    :host { display: inline-flex; align-items: center; gap: 6px; }
    vscode-text-field { width: var(--xrf-field-width, 7em); }
    .invalid { color: var(--vscode-errorForeground); }
  `;
  @property() label = '';
  @property({ type: Number }) value = 0;
  @property({ type: Number }) min = -Infinity;
  @property({ type: Number }) max = Infinity;
  @property() fieldId = '';
  private invalid = false;

  override render() {
    return html`<vscode-text-field id=${this.fieldId || nothing} .value=${String(this.value)} @change=${this.onChange} aria-invalid=${this.invalid ? 'true' : 'false'}
      ><span class=${this.invalid ? 'invalid' : ''}>${this.label}</span></vscode-text-field
    >`;
  }

  private onChange(e: Event) {
    e.stopPropagation();
    const text = (e.target as HTMLInputElement).value.trim();
    const v = Number(text);
    this.invalid = !(text !== '' && Number.isFinite(v) && v >= this.min && v <= this.max);
    this.requestUpdate();
    if (this.invalid) return;
    this.value = v;
    fire(this, { value: v });
  }
}

/** Determinate when total > 0, else a spinning ring. */
@customElement('xrf-progress')
export class XrfProgress extends LitElement {
  static override styles = css`
    :host { display: flex; align-items: center; gap: 8px; }
    .track { flex: 1; height: 4px; background: var(--vscode-editorWidget-background, transparent); border: 1px solid var(--vscode-widget-border, transparent); }
    .bar { height: 100%; background: var(--vscode-progressBar-background); }
  `;
  @property({ type: Number }) done = 0;
  @property({ type: Number }) total = 0;
  @property() label = '';

  override render() {
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : undefined;
    return html`${frac === undefined
        ? html`<vscode-progress-ring aria-label=${this.label}></vscode-progress-ring>`
        : html`<div class="track" role="progressbar" aria-label=${this.label} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.round(frac * 100)}>
            <div class="bar" style=${styleMap({ width: `${(frac * 100).toFixed(1)}%` })}></div>
          </div>`}
      <span>${this.label}${frac === undefined ? '' : ` ${Math.round(frac * 100)} %`}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-button': XrfButton;
    'xrf-select': XrfSelect;
    'xrf-checkbox': XrfCheckbox;
    'xrf-number-field': XrfNumberField;
    'xrf-progress': XrfProgress;
  }
}
