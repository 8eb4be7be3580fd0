// The "already done?" half of every install step, apart from the acting half: the install's activities call
// these before they act, and `plan` calls the same functions alone (read-only), so plan cannot drift.

/** done: the step would change nothing (`detail` says what is there); else `detail` says what it would do. */
export interface Check { done: boolean; detail: string }

export const done = (detail: string): Check => ({ done: true, detail });
export const todo = (detail: string): Check => ({ done: false, detail });

export const GBs = (bytes: number): string => `${Math.round(bytes / 1e9)} GB`;
