// Online payments' settings (src/config.ts), the notification sender check, the money format of the gateway's API,
// and the parsing of its payment object.
import { loadConfig, parseRanges, YOOKASSA_NOTIFY_FROM } from '../../src/config';
import { addressAllowed } from '../../src/gateway/source';
import { fromValue, toValue } from '../../src/gateway/types';
import { paymentBody, parsePayment } from '../../src/gateway/yookassa';
import { receiptContact } from '../../src/card-payments/forms';

const PROD = { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PASSWORD_PEPPER: 'p'.repeat(40), PUBLIC_URL: 'https://lk.example.ru', SMS_DRIVER: 'file', EMAIL_DRIVER: 'file', TRUST_PROXY: 'loopback' };

describe('payments config', () => {
  it('sandbox by default outside production, with limits 10 ₽ to 15 000 ₽ and notifications from loopback', () => {
    const c = loadConfig({ NODE_ENV: 'test' });
    expect(c.payments).toMatchObject({ gateway: 'sandbox', minKopecks: 1000, maxKopecks: 1_500_000, reconcileAfterMs: 15 * 60_000, notifyFrom: ['127.0.0.0/8', '::1/128'], receipt: { vatCode: 1, taxSystemCode: 1 }, autopay: { maxRetries: 3 } });
  });

  it('YooKassa by default in production, and then its shop id and secret key are required', () => {
    expect(() => loadConfig(PROD)).toThrow(/^config: YOOKASSA_SHOP_ID is required with PAYMENT_GATEWAY=yookassa/);
    const c = loadConfig({ ...PROD, YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'live_secret_key' });
    expect(c.payments).toMatchObject({ gateway: 'yookassa', yookassa: { shopId: '123456', secretKey: 'live_secret_key', apiUrl: 'https://api.yookassa.ru/v3' }, notifyFrom: YOOKASSA_NOTIFY_FROM });
  });

  it('refuses the sandbox in production unless explicitly allowed', () => {
    expect(() => loadConfig({ ...PROD, PAYMENT_GATEWAY: 'sandbox' })).toThrow(/PAYMENT_GATEWAY sandbox takes no money/);
    expect(loadConfig({ ...PROD, PAYMENT_GATEWAY: 'sandbox', PAYMENT_SANDBOX_IN_PRODUCTION: 'true' }).payments.gateway).toBe('sandbox');
  });

  it('names a wrong value', () => {
    expect(() => loadConfig({ PAYMENT_GATEWAY: 'paypal' })).toThrow(/PAYMENT_GATEWAY must be sandbox or yookassa/);
    expect(() => loadConfig({ PAYMENT_MIN_RUBLES: '500', PAYMENT_MAX_RUBLES: '100' })).toThrow(/PAYMENT_MIN_RUBLES must not be above PAYMENT_MAX_RUBLES/);
    expect(() => loadConfig({ PAYMENT_NOTIFY_FROM: '10.0.0.0/33' })).toThrow(/PAYMENT_NOTIFY_FROM must be a comma-separated list/);
    expect(() => loadConfig({ RECEIPT_VAT_CODE: '13' })).toThrow(/RECEIPT_VAT_CODE must be a whole number from 1 to 12/);
    expect(() => loadConfig({ YOOKASSA_API_URL: 'ftp://x' })).toThrow(/YOOKASSA_API_URL/);
  });

  it('parses address lists', () => {
    expect(parseRanges('185.71.76.0/27, 77.75.156.11,2a02:5180::/32')).toEqual(['185.71.76.0/27', '77.75.156.11/32', '2a02:5180::/32']);
    expect(parseRanges('999.1.1.1')).toBeNull();
    expect(parseRanges('hello')).toBeNull();
    expect(parseRanges('')).toBeNull();
  });
});

describe('the notification sender check', () => {
  it.each([
    ['185.71.76.1', true], ['185.71.76.31', true], ['185.71.76.32', false], ['185.71.77.5', true], ['77.75.153.127', true], ['77.75.153.128', false],
    ['77.75.156.11', true], ['77.75.156.12', false], ['77.75.156.35', true], ['77.75.154.200', true], ['77.75.154.127', false],
    ['2a02:5180::1', true], ['2a02:5181::1', false], ['::ffff:185.71.76.10', true], ['127.0.0.1', false], ['8.8.8.8', false], ['', false], ['nonsense', false],
  ])('%s -> %s', (ip, ok) => {
    expect(addressAllowed(ip, YOOKASSA_NOTIFY_FROM)).toBe(ok);
  });
  it('accepts nothing without an address', () => {
    expect(addressAllowed(undefined, YOOKASSA_NOTIFY_FROM)).toBe(false);
  });
});

describe('money in the gateway\u2019s API', () => {
  it('kopecks to "123.45" and back, without floating point', () => {
    expect(toValue(50000)).toBe('500.00');
    expect(toValue(1)).toBe('0.01');
    expect(toValue(123456789)).toBe('1234567.89');
    expect(fromValue('500.00')).toBe(50000);
    expect(fromValue('0.1')).toBe(10);
    expect(fromValue('19.99')).toBe(1999);
    expect(fromValue('1.999')).toBeNull();
    expect(fromValue('-5.00')).toBeNull();
    expect(fromValue('1e3')).toBeNull();
    expect(fromValue(null)).toBeNull();
  });
});

describe('the YooKassa provider\u2019s shapes', () => {
  it('a payment object, with card, metadata and cancellation', () => {
    const p = parsePayment({
      id: '2f0', status: 'canceled', paid: false, amount: { value: '10.00', currency: 'RUB' }, metadata: { payment_id: '7', n: 5 },
      payment_method: { type: 'bank_card', id: 'pm1', saved: true, card: { last4: '4477', card_type: 'Visa' } },
      cancellation_details: { party: 'payment_network', reason: 'card_expired' },
    });
    expect(p).toEqual({
      id: '2f0', status: 'canceled', paid: false, amount: { value: '10.00', currency: 'RUB' }, confirmationUrl: null,
      paymentMethod: { id: 'pm1', saved: true, mask: 'Visa •••• 4477' }, metadata: { payment_id: '7' }, cancellation: { party: 'payment_network', reason: 'card_expired' },
    });
    expect(() => parsePayment({ id: 'x', status: 'paid' })).toThrow(/not a payment/);
    expect(() => parsePayment('<html>')).toThrow(/not a payment/);
  });

  it('a saved card is charged without confirmation; a first payment asks to save it', () => {
    const base = { amountKopecks: 100, description: 'd', receipt: { customer: { email: 'a@b.ru' }, items: [], tax_system_code: 1 }, idempotenceKey: 'k', metadata: {} };
    expect(paymentBody({ ...base, paymentMethodId: 'pm1' })).toMatchObject({ payment_method_id: 'pm1', capture: true });
    expect(paymentBody({ ...base, paymentMethodId: 'pm1' })).not.toHaveProperty('confirmation');
    expect(paymentBody({ ...base, returnUrl: 'https://lk/x', savePaymentMethod: true })).toMatchObject({ confirmation: { type: 'redirect', return_url: 'https://lk/x' }, save_payment_method: true });
  });
});

describe('the receipt contact', () => {
  it.each([
    ['Name@Example.RU', 'name@example.ru'], ['+7 913 123-45-67', '79131234567'], ['8 (913) 123 45 67', '79131234567'],
  ])('%s -> %s', (input, out) => {
    expect(receiptContact.parse(input)).toBe(out);
  });
  it.each(['a@', '123', '+1 202 555 0100', 'x'.repeat(300)])('refuses %s', (input) => {
    expect(receiptContact.safeParse(input).success).toBe(false);
  });
});
