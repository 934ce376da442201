// The topics a notice is about: shared by notify.ts (where a notice goes) and subscriptions.ts (who hears of what).

/** Topics a subscriber can subscribe to, plus 'account' (security notices, always sent, no opt-out). */
export const TOPICS = ['maintenance', 'prices', 'news', 'low_balance', 'payments', 'offers'] as const;
export type Topic = (typeof TOPICS)[number] | 'account';
