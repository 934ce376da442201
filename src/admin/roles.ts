// What each role may do in the console: one table, read by the server's guard on every page and POST (requireStaff)
// and by the menu (a role sees only what it may open). A new page names its area here; nothing else decides.
import type { StaffRole } from '../staff/service';
import type { MessageKey } from '../web/i18n';

export const AREAS = {
  /** «Рабочий стол»: every role. */
  home: ['admin', 'cashier', 'support', 'content'],
  /** Find a contract and read its page. */
  contracts: ['admin', 'cashier', 'support'],
  /** New contract, edit the subscriber's data, move to another tariff, close. */
  contractsEdit: ['admin', 'cashier'],
  /** The subscriber's phones and e-mail, a new password (printed or by SMS). */
  contractsContacts: ['admin', 'cashier', 'support'],
  /** «Открыть кабинет абонента», read-only. */
  viewCabinet: ['admin', 'support'],
  /** «Принять платёж», «Корректировка», the shift report. */
  cashDesk: ['admin', 'cashier'],
  /** «Импорт реестра», «Неразнесённые платежи». */
  registers: ['admin', 'cashier'],
  tariffs: ['admin', 'content'],
  /** «Заявки на подключение». */
  requests: ['admin', 'support'],
  /** «Обратная связь». */
  feedback: ['admin', 'support'],
  /** The outbox: messages by state, retry a failed one. */
  outbox: ['admin', 'support'],
  /** Failed jobs, retry. */
  jobs: ['admin'],
  /** «Журнал действий». */
  audit: ['admin'],
  /** Staff accounts: create, disable, reset password, change role. */
  staff: ['admin'],
} as const satisfies Record<string, readonly StaffRole[]>;
export type Area = keyof typeof AREAS;

export const can = (role: string, area: Area): boolean => (AREAS[area] as readonly string[]).includes(role);

/** The console's menu in its order; each entry shows only to the roles of its area. */
const MENU: { href: string; label: MessageKey; area: Area }[] = [
  { href: '/admin', label: 'admin.nav.home', area: 'home' },
  { href: '/admin/contracts', label: 'admin.nav.contracts', area: 'contracts' },
  { href: '/admin/cash-desk', label: 'admin.nav.cashDesk', area: 'cashDesk' },
  { href: '/admin/registers', label: 'admin.nav.registers', area: 'registers' },
  { href: '/admin/registers/unmatched', label: 'admin.nav.unmatched', area: 'registers' },
  { href: '/admin/requests', label: 'admin.nav.requests', area: 'requests' },
  { href: '/admin/feedback', label: 'admin.nav.feedback', area: 'feedback' },
  { href: '/admin/tariffs', label: 'admin.nav.tariffs', area: 'tariffs' },
  { href: '/admin/outbox', label: 'admin.nav.outbox', area: 'outbox' },
  { href: '/admin/jobs', label: 'admin.nav.jobs', area: 'jobs' },
  { href: '/admin/audit', label: 'admin.nav.audit', area: 'audit' },
  { href: '/admin/staff', label: 'admin.nav.staff', area: 'staff' },
];

export const menuFor = (role: string) => MENU.filter((m) => can(role, m.area));
