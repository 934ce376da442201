// Stops the throwaway PostgreSQL cluster globalSetup started (an existing server keeps its template database).
type Cluster = { url: string; stop: () => void };
const state = globalThis as typeof globalThis & { kabinetPg?: Cluster | 'external' };

export default async function globalTeardown(): Promise<void> {
  const pg = state.kabinetPg;
  if (pg && pg !== 'external') pg.stop();
  state.kabinetPg = undefined;
}
