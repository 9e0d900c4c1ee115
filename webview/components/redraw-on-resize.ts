/**
 * A Lit controller that redraws a canvas component whenever its canvas changes size (the map tiles,
 * the spectrum, the loss chart). The canvas is observed once it is rendered, and again after the
 * element is moved in the page (disconnected and connected), which a one-off firstUpdated would miss.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class RedrawOnResize implements ReactiveController {
  private observer: ResizeObserver | undefined;
  private observed: Element | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly target: () => Element | null | undefined,
    private readonly draw: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.observer = new ResizeObserver(() => this.draw());
    this.observed = undefined;
    this.observeTarget();
  }

  hostUpdated(): void {
    this.observeTarget();
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    this.observed = undefined;
  }

  private observeTarget(): void {
    const t = this.target();
    if (!this.observer || !t || t === this.observed) return;
    if (this.observed) this.observer.unobserve(this.observed);
    this.observer.observe(t);
    this.observed = t;
  }
}
