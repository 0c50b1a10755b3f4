/**
 * Argo CD's sync windows, as the application controller evaluates them: a model used
 * as the oracle for the maintenance window (issue 11, point 5).
 *
 * Source: argoproj/argo-cd at 37ee0097cf851bc2dd7665fc081bbce61a7e836e,
 * pkg/apis/application/v1alpha1/types.go:
 * - SyncWindows.active / inactiveAllows: a window is active at `now` when
 *   `schedule.Next(now + tzOffset - duration)` is before `now + tzOffset`, i.e. strictly
 *   after a start and strictly before start + duration (02:00:00 exactly is still
 *   closed, 02:00:01 open, 03:59:59 open, 04:00:00 closed). The offset is the window
 *   time zone's offset at the moment of evaluation (scheduleOffsetByTimeZone uses
 *   time.Now()); an unknown zone counts as UTC.
 * - SyncWindows.Matches: by application name, cluster, namespace (glob), OR unless
 *   `andOperator`.
 * - SyncWindows.CanSync: an active deny blocks (manual allowed only if every active deny
 *   has manualSync); else an active allow permits; else inactive allows block (manual
 *   allowed only if every inactive allow has manualSync); no windows → allowed. The
 *   syncOverrun branches apply to an operation already running and are modelled by
 *   `operationStartedAt`.
 * Cron semantics: ../constructs/argocd/cron.ts (robfig/cron v3).
 */
import { nextActivation, parseCron, zoneOffsetMs, type CronSchedule } from '../constructs/argocd/cron';

export interface SyncWindowSpec {
  /** `allow` or `deny`; anything else is reported, not assumed. */
  readonly kind: string;
  readonly schedule: string;
  /** Go duration, e.g. `2h`, `1h30m`. */
  readonly duration: string;
  readonly applications?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly clusters?: readonly string[];
  readonly manualSync?: boolean;
  readonly timeZone?: string;
  readonly andOperator?: boolean;
  readonly syncOverrun?: boolean;
}

/** What Matches() reads of an Application. */
export interface ApplicationRef {
  readonly name: string;
  readonly namespace: string;
  readonly server?: string;
  readonly clusterName?: string;
}

interface Compiled {
  readonly spec: SyncWindowSpec;
  readonly schedule: CronSchedule;
  readonly durationMs: number;
  // Next() memo: if Next(a) = n and a <= t < n, then Next(t) = n. Walking time forward
  // minute by minute, this turns most calls into a comparison without changing a result.
  memo?: { from: number; next: number | undefined };
}

/** time.ParseDuration for the units a window uses (h, m, s, ms). */
export function parseGoDuration(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  if (!/^([0-9]+(\.[0-9]+)?(h|ms|m|s))+$/.test(text)) throw new Error(`cannot parse duration '${text}'`);
  let total = 0;
  for (const [, n, , unit] of text.matchAll(/([0-9]+(\.[0-9]+)?)(h|ms|m|s)/g)) total += Number(n) * units[unit];
  return total;
}

export class SyncWindows {
  private readonly windows: Compiled[];

  constructor(specs: readonly SyncWindowSpec[]) {
    this.windows = specs.map((spec) => ({ spec, schedule: parseCron(spec.schedule), durationMs: parseGoDuration(spec.duration) }));
  }

  /** Matches(): the windows that apply to this Application. */
  matching(app: ApplicationRef): SyncWindows {
    const result = new SyncWindows([]);
    result.windows.push(...this.windows.filter((w) => windowMatches(w.spec, app)));
    return result;
  }

  private isActive(w: Compiled, now: number): boolean {
    const offset = zoneOffsetMs(w.spec.timeZone, now);
    const from = now + offset - w.durationMs;
    let next: number | undefined;
    if (w.memo !== undefined && w.memo.from <= from && (w.memo.next === undefined ? false : from < w.memo.next)) next = w.memo.next;
    else {
      next = nextActivation(w.schedule, from);
      w.memo = { from, next };
    }
    // robfig returns the zero time when nothing is found; that is before any real time.
    return next === undefined || next < now + offset;
  }

  active(now: number): SyncWindowSpec[] {
    return this.windows.filter((w) => this.isActive(w, now)).map((w) => w.spec);
  }

  inactiveAllows(now: number): SyncWindowSpec[] {
    return this.windows.filter((w) => w.spec.kind === 'allow' && !this.isActive(w, now)).map((w) => w.spec);
  }

  /** CanSync(isManual, operationStartTime) evaluated at `now`. */
  canSync(isManual: boolean, now: number, operationStartedAt?: number): boolean {
    if (this.windows.length === 0) return true;
    const active = this.active(now);
    const activeDeny = active.filter((w) => w.kind === 'deny');
    if (activeDeny.length > 0) {
      if (isManual && activeDeny.every((w) => w.manualSync === true)) return true;
      // denyAllowsOverrun() runs on the active windows: every deny among them has syncOverrun.
      if (
        operationStartedAt !== undefined &&
        activeDeny.every((w) => w.syncOverrun === true) &&
        this.canSyncAt(isManual, operationStartedAt)
      )
        return true;
      return false;
    }
    if (active.some((w) => w.kind === 'allow')) return true;
    const inactive = this.inactiveAllows(now);
    if (inactive.length > 0) {
      if (isManual && inactive.every((w) => w.manualSync === true)) return true;
      if (operationStartedAt !== undefined && inactive.every((w) => w.syncOverrun === true) && this.canSyncAt(isManual, operationStartedAt))
        return true;
      return false;
    }
    return true;
  }

  /** canSyncAtTime(): CanSync without the overrun branches. */
  private canSyncAt(isManual: boolean, at: number): boolean {
    return this.canSync(isManual, at);
  }
}

function windowMatches(w: SyncWindowSpec, app: ApplicationRef): boolean {
  let matched = false;
  let isSet = false;
  if ((w.applications ?? []).length > 0) {
    isSet = true;
    matched = (w.applications ?? []).some((a) => globMatch(a, app.name));
  }
  if (w.andOperator && !matched && isSet) return false;
  if (!w.andOperator && matched) return true;
  if ((w.clusters ?? []).length > 0) {
    matched = false;
    isSet = true;
    matched = (w.clusters ?? []).some(
      (c) =>
        (app.clusterName !== undefined && app.clusterName !== '' && globMatch(c, app.clusterName)) ||
        (app.server !== undefined && app.server !== '' && globMatch(c, app.server)),
    );
  }
  if (isSet && w.andOperator && !matched) return false;
  if (!w.andOperator && matched) return true;
  if ((w.namespaces ?? []).length > 0) {
    matched = (w.namespaces ?? []).some((n) => globMatch(n, app.namespace));
  }
  return matched;
}

/** argo-cd util/glob Match with `*` and `?` (enough for names). */
function globMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(value);
}
