// Before any test: htmx is copied into public/ (the build does the same; the tests serve public/ too). With
// KABINET_TEST_ENGINE=postgres: a throwaway cluster (or KABINET_TEST_DATABASE_URL's server) and a migrated template
// database that each suite copies (CREATE DATABASE … TEMPLATE: a fresh migrated database in a fraction of a second).
import { migrate, openDb } from '../../src/db';
import { TEMPLATE_DATABASE, pgRows, testEngine } from './engine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startCluster, withDatabase } = require('./postgres');

type Cluster = { url: string; stop: () => void };
const state = globalThis as typeof globalThis & { kabinetPg?: Cluster | 'external' };

export default async function globalSetup(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../../scripts/vendor').copyVendor();
  if (testEngine() !== 'postgres' || state.kabinetPg) return;
  if (process.env.KABINET_TEST_DATABASE_URL) {
    state.kabinetPg = 'external';
  } else {
    const cluster: Cluster = await startCluster();
    state.kabinetPg = cluster;
    process.env.KABINET_TEST_DATABASE_URL = cluster.url; // the workers inherit it
  }
  const admin = process.env.KABINET_TEST_DATABASE_URL!;
  await pgRows(admin, `drop database if exists ${TEMPLATE_DATABASE} with (force)`);
  await pgRows(admin, `create database ${TEMPLATE_DATABASE}`);
  const db = openDb(withDatabase(admin, TEMPLATE_DATABASE));
  try {
    await migrate(db);
  } finally {
    await db.destroy();
  }
}
