// now() for the whole app, injected through the context so that tests can move time.
export interface Clock {
  now(): Date;
  /** True while a tester has moved the clock (KABINET_NOW, `kabinet clock`): every page says so (src/test-clock). */
  moved?(): boolean;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests: starts at a fixed instant and moves only when told. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(start: Date | string = '2026-11-24T05:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(at: Date | string): void {
    this.ms = new Date(at).getTime();
  }
}

/** Where a moved clock stands: the test time `at` when the real clock showed `since`. */
export type ClockSetting = { at: Date; since: Date };

/**
 * A clock that runs at the real clock's pace from a moved starting point: now = at + (real now − since) + offset
 * (the offset being what `set` added since). Without a setting it is the real clock.
 */
export class MovableClock implements Clock {
  private setting: { atMs: number; sinceMs: number } | null = null;
  constructor(protected readonly real: Clock = systemClock, setting: ClockSetting | null = null) {
    this.set(setting);
  }
  now(): Date {
    const real = this.real.now().getTime();
    return new Date(this.setting ? this.setting.atMs + (real - this.setting.sinceMs) : real);
  }
  moved(): boolean {
    return this.setting !== null;
  }
  /** Moves the clock (null: back to real time). */
  set(setting: ClockSetting | null): void {
    this.setting = setting ? { atMs: setting.at.getTime(), sinceMs: setting.since.getTime() } : null;
  }
  /** The real clock under it (the instant a setting is taken at). */
  realNow(): Date {
    return this.real.now();
  }
}
