// How t() meets a key the catalogue lacks, from the config: production logs it (once) and shows the key; development
// and tests throw. Set by createApp and boot, so the server, its jobs and the CLI all behave the same.
import type { AppContext } from '../context';
import { onMissingMessage } from './i18n';

export function catalogueMode(ctx: Pick<AppContext, 'config' | 'logger'>): void {
  onMissingMessage({
    strict: !ctx.config.isProduction,
    log: (key) => ctx.logger.error({ key }, 'a message is missing from the catalogue: the page shows its key'),
  });
}
