import { nextMaintenanceWindow, type MaintenanceWindow, type WindowOccurrence } from './window';

/** Learners hear of a maintenance window this long before it opens (specification: "48-hour advance notice"). */
export const NOTICE_LEAD_MS = 48 * 60 * 60 * 1000;

/** The next maintenance window, and whether learners should be told about it now. */
export interface MaintenanceStatus extends WindowOccurrence {
  /** When the notice starts to show: 48 hours before `start`. */
  readonly announceFrom: Date;
  /** True from `announceFrom` until the window ends. */
  readonly announced: boolean;
  /** True while the window is open. */
  readonly inProgress: boolean;
}

/** The window that has not ended yet at `now` (it may be open), from the configured schedule. */
export function maintenanceStatus(window: MaintenanceWindow, now: Date): MaintenanceStatus {
  const next = nextMaintenanceWindow(window, now);
  const announceFrom = new Date(next.start.getTime() - NOTICE_LEAD_MS);
  const t = now.getTime();
  return {
    ...next,
    announceFrom,
    announced: t >= announceFrom.getTime() && t < next.end.getTime(),
    inProgress: t >= next.start.getTime() && t < next.end.getTime(),
  };
}

/**
 * The window as a learner reads it, in their zone at the window's own date: Intl
 * applies the offset in force at each instant, so a daylight-saving change between
 * the notice and the window moves the shown hour correctly.
 * e.g. "Sunday 4 April 2027, 12:00–14:00 (Australia/Sydney)".
 */
export function describeWindow(window: WindowOccurrence, timeZone: string): string {
  // Assembled from parts: the punctuation of a whole formatted date varies across ICU versions.
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const read = (at: Date) => {
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.formatToParts(at).find((p) => p.type === type)?.value ?? '';
    return { day: `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}`, time: `${part('hour')}:${part('minute')}` };
  };
  const [start, end] = [read(window.start), read(window.end)];
  return `${start.day}, ${start.time}–${end.day === start.day ? '' : `${end.day}, `}${end.time} (${timeZone})`;
}
