/**
 * The part of playwright-core's API the harness uses, declared here because playwright-core is loaded from the
 * machine-level cache at run time (see env.ts) and is not a project dependency the type checker can see.
 * Signatures follow playwright-core 1.65's types/types.d.ts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

export interface Locator {
  count(): Promise<number>;
  first(): Locator;
  nth(i: number): Locator;
  last(): Locator;
  locator(selector: string): Locator;
  filter(opts: { hasText?: string | RegExp; has?: Locator }): Locator;
  getAttribute(name: string, opts?: { timeout?: number }): Promise<string | null>;
  innerText(opts?: { timeout?: number }): Promise<string>;
  textContent(opts?: { timeout?: number }): Promise<string | null>;
  isVisible(): Promise<boolean>;
  waitFor(opts?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  click(opts?: { timeout?: number; position?: { x: number; y: number }; force?: boolean; button?: 'left' | 'right' }): Promise<void>;
  hover(opts?: { timeout?: number; position?: { x: number; y: number }; force?: boolean }): Promise<void>;
  fill(value: string, opts?: { timeout?: number }): Promise<void>;
  press(key: string, opts?: { timeout?: number }): Promise<void>;
  boundingBox(opts?: { timeout?: number }): Promise<{ x: number; y: number; width: number; height: number } | null>;
  screenshot(opts?: { path?: string; timeout?: number }): Promise<Buffer>;
  evaluate<R, A = undefined>(fn: (el: any, arg: A) => R | Promise<R>, arg?: A, opts?: { timeout?: number }): Promise<R>;
  evaluateAll<R, A = undefined>(fn: (els: any[], arg: A) => R | Promise<R>, arg?: A): Promise<R>;
}

export interface ElementHandle {
  getAttribute(name: string): Promise<string | null>;
  dispose(): Promise<void>;
}

export interface Frame {
  url(): string;
  name(): string;
  parentFrame(): Frame | null;
  childFrames(): Frame[];
  isDetached(): boolean;
  frameElement(): Promise<ElementHandle>;
  locator(selector: string): Locator;
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
}

export interface Keyboard {
  press(key: string, opts?: { delay?: number }): Promise<void>;
  type(text: string, opts?: { delay?: number }): Promise<void>;
  insertText(text: string): Promise<void>;
}

export interface Mouse {
  move(x: number, y: number, opts?: { steps?: number }): Promise<void>;
  click(x: number, y: number): Promise<void>;
}

export interface Page {
  goto(url: string, opts?: { timeout?: number; waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit' }): Promise<unknown>;
  frames(): Frame[];
  mainFrame(): Frame;
  locator(selector: string): Locator;
  keyboard: Keyboard;
  mouse: Mouse;
  screenshot(opts?: { path?: string; fullPage?: boolean; timeout?: number }): Promise<Buffer>;
  waitForTimeout(ms: number): Promise<void>;
  on(event: 'console', fn: (msg: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (err: Error) => void): void;
  on(event: 'crash', fn: () => void): void;
  close(): Promise<void>;
  setDefaultTimeout(ms: number): void;
  bringToFront(): Promise<void>;
}

export interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
  grantPermissions(perms: string[], opts?: { origin?: string }): Promise<void>;
}

export interface Browser {
  newContext(opts?: { viewport?: { width: number; height: number }; deviceScaleFactor?: number }): Promise<BrowserContext>;
  close(): Promise<void>;
  version(): string;
}

export interface BrowserType {
  launch(opts: { executablePath: string; args?: string[]; headless?: boolean; timeout?: number; env?: Record<string, string> }): Promise<Browser>;
}

export interface PlaywrightModule {
  chromium: BrowserType;
}
