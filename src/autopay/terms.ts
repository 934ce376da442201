// The terms of «Автоматический платёж» as the subscriber reads and accepts them. The text accepted is stored word for
// word with the time (autopay.terms_text, terms_accepted_at): change the text only together with TERMS_VERSION.
import { t } from '../web/i18n';

export const TERMS_VERSION = '2026-11-25';

/** The text lives in the catalogue (src/web/messages.ru.ts, 'autopay.terms.text'), one paragraph a line. */
export const TERMS_TEXT = t('autopay.terms.text');
