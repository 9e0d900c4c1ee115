/**
 * <xrf-metrics-table>: one table of the results view (view model from webview/lib/metrics-table.ts):
 * line families as rows, Total/Avg rows first, best cells marked (bold and "best" for screen
 * readers); "Copy as Markdown" / "Copy as CSV" fire `copy-table` {text, what} for the host's clipboard.
 * The <table> carries `data-kind="metrics-table"` and `data-table` (its id).
 */
import { LitElement, html, css } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { tableToCsv, tableToMarkdown, type TableModel } from '../lib/metrics-table';
import '../controls/controls';

@customElement('xrf-metrics-table')
export class XrfMetricsTable extends LitElement {
  static override styles = css`
    :host { display: block; margin: 12px 0; }
    .head { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
    h3 { margin: 0; font-size: 1.05em; flex: 1; }
    table { border-collapse: collapse; margin-top: 6px; font-variant-numeric: tabular-nums; }
    th, td { padding: 2px 10px; border-bottom: 1px solid var(--vscode-widget-border, rgba(128,128,128,0.3)); }
    th { text-align: right; font-weight: 600; }
    th:first-child, td:first-child { text-align: left; }
    td { text-align: right; }
    tr.total td, tr.avg td { background: var(--vscode-editorWidget-background, transparent); }
    tr.total td:first-child, tr.avg td:first-child { font-weight: 600; }
    td.best { font-weight: 700; color: var(--vscode-charts-green, inherit); }
  `;

  @property({ attribute: false }) table!: TableModel;

  override render() {
    const t = this.table;
    return html`<div class="head">
        <h3 id=${`title-${t.id}`}>${t.title}</h3>
        <xrf-button data-copy="markdown" data-table=${t.id} label=${`Copy ${t.title} as Markdown`} @click=${() => this.copy('markdown')}>Copy Markdown</xrf-button>
        <xrf-button data-copy="csv" data-table=${t.id} label=${`Copy ${t.title} as CSV`} @click=${() => this.copy('csv')}>Copy CSV</xrf-button>
      </div>
      <table data-kind="metrics-table" data-table=${t.id} aria-labelledby=${`title-${t.id}`}>
        <thead>
          <tr>
            <th scope="col">${t.corner}</th>
            ${t.columns.map((c) => html`<th scope="col">${c}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${t.rows.map(
            (r) => html`<tr class=${r.kind} data-row=${r.label}>
              <td>${r.label}</td>
              ${r.cells.map(
                (c, i) =>
                  html`<td class=${c.best ? 'best' : ''} data-column=${t.columns[i]} data-value=${c.value ?? ''} aria-label=${c.best ? `${c.text}, best` : c.text}>${c.text}</td>`,
              )}
            </tr>`,
          )}
        </tbody>
      </table>`;
  }

  private copy(format: 'markdown' | 'csv'): void {
    const text = format === 'markdown' ? tableToMarkdown(this.table) : tableToCsv(this.table);
    this.dispatchEvent(new CustomEvent('copy-table', { detail: { text, what: `${this.table.title} (${format === 'markdown' ? 'Markdown' : 'CSV'})` }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xrf-metrics-table': XrfMetricsTable;
  }
}
