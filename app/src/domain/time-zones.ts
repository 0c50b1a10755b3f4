import { timeZonesNames } from '@vvo/tzdb';

/**
 * The one source of valid time zones for both roles (issue 16, defect 1).
 *
 * Two facts, from two sources:
 * - Which names are current: @vvo/tzdb's `timeZonesNames`, the IANA zones under their
 *   present names (Asia/Kolkata, Europe/Kyiv). Node's `Intl.supportedValuesOf` lists
 *   ICU's identifiers instead, which are the legacy ones (Asia/Calcutta, Europe/Kiev).
 * - Which names mean the same zone: ICU, through `Intl.DateTimeFormat#resolvedOptions`,
 *   which resolves every alias and case variant to one identifier. Two names are the
 *   same zone exactly when they resolve alike, so an alias maps to the current name
 *   that resolves like it. The streak arithmetic uses the same ICU, so every zone
 *   listed here is one it can compute days in.
 */

/** ICU's identifier for a zone name, or null when ICU does not know it. */
function icuIdentifier(name: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const CURRENT_NAMES = ['UTC', ...[...timeZonesNames].filter((zone) => zone !== 'UTC' && icuIdentifier(zone) !== null).sort()];

const currentNameOf = new Map<string, string>();
for (const zone of CURRENT_NAMES) {
  const id = icuIdentifier(zone);
  if (id !== null && !currentNameOf.has(id)) currentNameOf.set(id, zone);
}

/** What a learner may choose: UTC first, then every current IANA name, alphabetically. */
export const TIME_ZONES: readonly string[] = CURRENT_NAMES;

/**
 * The current name of the zone `name` means (an alias, any case), or null when it is
 * no time zone at all. A valid zone outside the list (Etc/GMT+5) is kept as ICU names it.
 */
export function canonicalTimeZone(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 64) return null;
  const id = icuIdentifier(trimmed);
  return id === null ? null : (currentNameOf.get(id) ?? id);
}
