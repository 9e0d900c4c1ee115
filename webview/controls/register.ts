/**
 * The only module that imports @vscode/webview-ui-toolkit (with the wrappers in this folder). Swapping
 * to @vscode-elements/elements later means rewriting this folder only: the rest of the webview uses
 * our <xrf-…> controls and their `value-change` events.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeProgressRing(), vsCodeTextField());
}
