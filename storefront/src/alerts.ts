import { h, renderKeepingFocus, replaceChildrenKeepingFocus } from './dom';

export type Tone = 'info' | 'warning' | 'error';
/** What raised an alert, so a later success clears only its own kind of trouble. */
export type AlertSource = 'catalog' | 'quote' | 'price' | 'checkout' | 'cart' | 'stock';

export interface Alert {
  readonly text: string;
  readonly tone: Tone;
  readonly source: AlertSource;
  readonly retry?: () => void;
  /** The retry button's words, when it does something other than trying again. */
  readonly retryLabel?: string;
}

/** The cart's problems and notices, one per source. */
export interface Alerts {
  /** Shows an alert, replacing the one of the same source. */
  show(alert: Alert): void;
  /** Takes down the alerts of these sources (e.g. a quote that succeeded clears the quote's). */
  clear(...sources: AlertSource[]): void;
}

/**
 * Alerts drawn into `region` (an `role="alert"` element, so each is read out when it appears). An
 * alert's button first takes the alert down, then acts: the customer sees the trouble handled, and
 * the keyboard focus the button had goes to `focusFallback` (the cart) rather than to the page.
 */
export function createAlerts(region: HTMLElement, focusFallback: HTMLElement): Alerts {
  let alerts: Alert[] = [];

  function render() {
    renderKeepingFocus(focusFallback, () => draw());
  }

  function draw() {
    replaceChildrenKeepingFocus(
      region,
      alerts.map((alert) => {
        const retry = alert.retry;
        const button = retry
          ? h(
              'button',
              { type: 'button', class: 'link-button', 'data-focus-key': `retry-${alert.source}` },
              alert.retryLabel ?? 'Try again',
            )
          : null;
        button?.addEventListener('click', () => {
          clear(alert.source);
          retry?.();
        });
        return h('p', { class: `alert ${alert.tone}`, 'data-source': alert.source }, alert.text, ' ', button);
      }),
    );
  }

  function show(alert: Alert) {
    alerts = [...alerts.filter((a) => a.source !== alert.source), alert];
    render();
  }

  function clear(...sources: AlertSource[]) {
    const kept = alerts.filter((a) => !sources.includes(a.source));
    if (kept.length === alerts.length) return;
    alerts = kept;
    render();
  }

  return { show, clear };
}

/**
 * Says a sentence in the polite live region `status` (what was added or removed). Clearing first
 * makes a screen reader announce a repeated sentence again.
 */
export function createAnnouncer(status: HTMLElement): (text: string) => void {
  return (text) => {
    status.textContent = '';
    requestAnimationFrame(() => {
      status.textContent = text;
    });
  };
}
