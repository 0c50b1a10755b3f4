import { UpgradeRequired } from '../errors';
import type { Learner } from './learner';
import { canReadChapter, PLANS, requiredTierFor, type Tier } from './tiers';

/**
 * The gate in front of every path that shows chapter material. It only ever asks
 * `canReadChapter`; the learner's tier comes from the token's user, never the request.
 */
export function assertCanReadChapter(learner: Pick<Learner, 'tier'>, chapterNumber: number): void {
  if (canReadChapter(learner.tier, chapterNumber)) return;
  const requiredTier = requiredTierFor(chapterNumber);
  throw new UpgradeRequired(`Chapter ${chapterNumber} needs the ${requiredTier} plan or higher.`, {
    required_tier: requiredTier,
    plans: PLANS,
  });
}

export interface AccessCheck {
  readonly chapter_number: number;
  readonly allowed: boolean;
  readonly required_tier: Tier;
  readonly tier: Tier;
}

export function accessCheck(learner: Pick<Learner, 'tier'>, chapterNumber: number): AccessCheck {
  return {
    chapter_number: chapterNumber,
    allowed: canReadChapter(learner.tier, chapterNumber),
    required_tier: requiredTierFor(chapterNumber),
    tier: learner.tier,
  };
}
